export type { Balancer, BalancerRequest, Outcome, TargetAddress } from './types';
export { buildBalancers, carryHealth } from './build-balancers';
