import { Metadata, status } from '@grpc/grpc-js';
import { isGrpcServiceError, ServiceError, WorkflowNotFoundError } from '@temporalio/client';
import {
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
} from 'kafkajs';
import { DatabaseError } from 'pg';
import { BadMessage, classifyFailure, DependencyDown } from './classify';

/** An error as node-postgres raises it for a server answer with this SQLSTATE. */
const pgError = (code: string, message = 'server said no') =>
  Object.assign(new DatabaseError(message, 0, 'error'), { code, severity: 'ERROR' });

/** A gRPC error as @grpc/grpc-js raises it (callErrorFromStatus): code, details, metadata. */
const grpcError = (code: status) =>
  Object.assign(new Error(`${code} ${status[code]}: it went wrong`), {
    code,
    details: 'it went wrong',
    metadata: new Metadata(),
  });

/** Temporal's client wraps a gRPC failure in its own ServiceError, the gRPC error as cause. */
const temporalError = (code: status) =>
  new ServiceError('Failed to signalWithStart Workflow', { cause: grpcError(code) });

/** What kafkajs builds a protocol error from: the broker's error code, type and retriability. */
const protocolError = (fields: {
  message: string;
  type: string;
  code: number;
  retriable: boolean;
}) => Object.assign(new Error(fields.message), fields);

const kindOf = (error: unknown) => {
  const verdict = classifyFailure(error);
  return verdict.kind === 'dependency-down' ? `down:${verdict.dependency}` : verdict.kind;
};

describe('classifying a consumer failure: bad message or dependency down', () => {
  it('says a message is bad when PostgreSQL refuses its data or a constraint', () => {
    expect(
      ['23505', '23503', '23514', '23502', '22001', '22P02', '22003', '22021'].map((code) =>
        kindOf(pgError(code)),
      ),
    ).toEqual(Array(8).fill('bad'));
    expect(classifyFailure(pgError('23505', 'duplicate key'))).toEqual({
      kind: 'bad',
      reason: '23505 duplicate key',
    });
  });

  it('says PostgreSQL is down for connection, shutdown, resource and transient errors', () => {
    expect(
      [
        '08006',
        '08001',
        '08003',
        '57P01',
        '57P02',
        '57P03',
        '53300',
        '53100',
        '40001',
        '40P01',
      ].map((code) => kindOf(pgError(code))),
    ).toEqual(Array(10).fill('down:postgres'));
  });

  it("says PostgreSQL is down for pg's own lost-connection errors, which carry no SQLSTATE", () => {
    expect(
      [
        new Error('Connection terminated unexpectedly'),
        new Error('timeout exceeded when trying to connect'),
        new Error('Client has encountered a connection error and is not queryable'),
      ].map(kindOf),
    ).toEqual(['down:postgres', 'down:postgres', 'down:postgres']);
  });

  it('leaves other SQL errors (a missing table, a syntax error) unclassified', () => {
    expect([pgError('42P01'), pgError('42601')].map(kindOf)).toEqual([
      'unclassified',
      'unclassified',
    ]);
  });

  it('says Temporal is down for UNAVAILABLE, DEADLINE_EXCEEDED and their kin, wrapped or not', () => {
    const down = [
      status.UNAVAILABLE,
      status.DEADLINE_EXCEEDED,
      status.RESOURCE_EXHAUSTED,
      status.ABORTED,
      status.INTERNAL,
      status.CANCELLED,
      status.UNAUTHENTICATED,
      status.PERMISSION_DENIED,
    ];
    expect(isGrpcServiceError(grpcError(status.UNAVAILABLE))).toBe(true);
    expect(down.map((code) => kindOf(temporalError(code)))).toEqual(
      Array(down.length).fill('down:temporal'),
    );
    expect(kindOf(grpcError(status.UNAVAILABLE))).toBe('down:temporal');
    expect(
      kindOf(new ServiceError('Failed to connect to Temporal server', { cause: new Error('x') })),
    ).toBe('down:temporal');
  });

  it('says a message is bad when Temporal refuses the request for what it says', () => {
    expect(kindOf(temporalError(status.INVALID_ARGUMENT))).toBe('bad');
    expect(kindOf(temporalError(status.OUT_OF_RANGE))).toBe('bad');
    // Workflow not found is the bridge's to decide (park or ignore), not the classifier's.
    expect(kindOf(new WorkflowNotFoundError('gone', 'order-1', undefined))).toBe('unclassified');
  });

  it('says Kafka is down for its connection, timeout and retry errors, bad for a refused record', () => {
    expect(
      [
        new KafkaJSConnectionError('Connection error: connect ECONNREFUSED'),
        new KafkaJSRequestTimeoutError('Request Produce(key: 0, version: 7) timed out'),
        new KafkaJSNumberOfRetriesExceeded(new Error('broker gone'), {
          retryCount: 5,
          retryTime: 1_000,
        }),
        new KafkaJSProtocolError(
          protocolError({
            message: 'This is not the correct controller for this cluster',
            type: 'NOT_CONTROLLER',
            code: 41,
            retriable: true,
          }),
        ),
      ].map(kindOf),
    ).toEqual(['down:kafka', 'down:kafka', 'down:kafka', 'down:kafka']);
    expect(
      kindOf(
        new KafkaJSProtocolError(
          protocolError({
            message: 'The request included a message larger than the max message size',
            type: 'MESSAGE_TOO_LARGE',
            code: 10,
            retriable: false,
          }),
        ),
      ),
    ).toBe('bad');
  });

  it('says a message is bad when it is not JSON, or when the handler says so', () => {
    let notJson: unknown;
    try {
      JSON.parse('{nope');
    } catch (error) {
      notJson = error;
    }
    expect(kindOf(notJson)).toBe('bad');
    expect(classifyFailure(new BadMessage('order refused for good'))).toEqual({
      kind: 'bad',
      reason: 'order refused for good',
    });
  });

  it('names the dependency a handler says is down, and reads socket errors and 5xx as down', () => {
    expect(kindOf(new DependencyDown('fraud-provider', new Error('503')))).toBe(
      'down:fraud-provider',
    );
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
    });
    expect(kindOf(refused)).toBe('down:network');
    expect(kindOf(Object.assign(new Error('Service Unavailable'), { status: 503 }))).toBe(
      'down:downstream',
    );
    expect(kindOf(Object.assign(new Error('Not Found'), { status: 404 }))).toBe('unclassified');
  });

  it('looks through cause chains, and leaves a plain bug unclassified', () => {
    const wrapped = new Error('handing over failed', {
      cause: new Error('inner', { cause: pgError('57P01', 'terminating connection') }),
    });
    expect(kindOf(wrapped)).toBe('down:postgres');
    expect(
      classifyFailure(new TypeError("Cannot read properties of undefined (reading 'x')")),
    ).toEqual({
      kind: 'unclassified',
      reason: "Cannot read properties of undefined (reading 'x')",
    });
    expect(kindOf('a string thrown')).toBe('unclassified');
  });
});
