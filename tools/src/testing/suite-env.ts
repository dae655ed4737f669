/** A variable the integration suite's global setup exported (the stack's addresses, its keys). */
export function suiteEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through the integration suite's setup`);
  return value;
}
