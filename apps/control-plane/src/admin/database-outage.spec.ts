import { QueryFailedError } from 'typeorm';
import { AdminError } from './admin-error';
import { adminErrorOf, isDatabaseUnavailable } from './database-outage';

function pgError(code: string, message = 'error'): Error {
  return Object.assign(new Error(message), { code });
}

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['both addresses of localhost refused', Object.assign(new AggregateError([pgError('ECONNREFUSED')]), { code: undefined })],
    ['a server shut down by its administrator', new QueryFailedError('SELECT 1', [], pgError('57P01', 'terminating connection due to administrator command'))],
    ['a server starting up', pgError('57P03', 'the database system is starting up')],
    ['a connection cut mid-statement', new Error('Connection terminated unexpectedly')],
    ['a transaction whose connection ended', Object.assign(new Error('Query runner already released'), { name: 'QueryRunnerAlreadyReleasedError' })],
    ['too many connections', pgError('53300')],
  ])('%s is an outage', (_, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
    expect(adminErrorOf(err)).toMatchObject({ status: 503, retryAfterSeconds: 5 });
  });

  it.each([
    ['a unique violation', new QueryFailedError('INSERT', [], pgError('23505'))],
    ['a value Postgres refuses', new QueryFailedError('SELECT', [], pgError('22P02'))],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['not an error at all', 'Connection terminated'],
  ])('%s is not', (_, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
    expect(adminErrorOf(err)).toBeUndefined();
  });

  it('leaves an admin error as it is', () => {
    const err = new AdminError(6, 'not found');
    expect(adminErrorOf(err)).toBe(err);
  });
});
