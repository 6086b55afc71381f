export * from './money';
export * from './billing-period';
export * from './invoice-lines';
