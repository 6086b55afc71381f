import { bundledPlugin } from '../bundled-plugin';
import { tcpLogHandler } from './handler';
import { tcpLogSchema } from './schema';

export { tcpLogSchema } from './schema';
export { tcpLogHandler, type TcpLogConfig } from './handler';
export const tcpLogPlugin = bundledPlugin(tcpLogSchema, tcpLogHandler);
