/**
 * The simulators' configuration, read once from the environment and checked at start-up: every
 * bad variable is named in one message. (Written here rather than imported: the simulators
 * stand in for third-party services and share no code with the platform.)
 */
export interface SimulatorsConfig {
  port: number;
  databaseUrl: string;
  /** Where the fulfilment service tells the platform about dispatches and deliveries. */
  fulfillmentWebhook: { url?: string; secret?: string };
}

export const DEFAULT_PORT = 3400;
/** As the platform requires of the same shared secret. */
const MIN_SECRET_LENGTH = 32;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SimulatorsConfig {
  const problems: string[] = [];
  const rawPort = env.SIMULATORS_PORT?.trim() || undefined;
  const port = rawPort === undefined ? DEFAULT_PORT : Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    problems.push(`SIMULATORS_PORT must be a TCP port (0-65535), got "${rawPort}"`);
  }
  const databaseUrl = env.SIMULATORS_DATABASE_URL?.trim() ?? '';
  if (!databaseUrl) {
    problems.push('SIMULATORS_DATABASE_URL is required (postgres URL)');
  } else if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('SIMULATORS_DATABASE_URL must be a postgres URL');
  }
  const webhookUrl = env.FULFILLMENT_WEBHOOK_URL?.trim() || undefined;
  if (webhookUrl !== undefined && !/^https?:\/\/./.test(webhookUrl)) {
    problems.push('FULFILLMENT_WEBHOOK_URL must be an http or https URL');
  }
  const webhookSecret = env.FULFILLMENT_WEBHOOK_SECRET?.trim() || undefined;
  if (webhookSecret !== undefined && webhookSecret.length < MIN_SECRET_LENGTH) {
    problems.push(`FULFILLMENT_WEBHOOK_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  if (problems.length > 0) {
    throw new Error(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return { port, databaseUrl, fulfillmentWebhook: { url: webhookUrl, secret: webhookSecret } };
}
