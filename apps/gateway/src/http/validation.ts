/**
 * Request validation from the same JSON Schemas the OpenAPI document publishes, so what the docs
 * promise and what the gateway enforces cannot drift. Every problem names its field.
 */
import Ajv, { type ErrorObject, type JSONSchemaType, type Schema } from 'ajv';
import addFormats from 'ajv-formats';
import { type FieldError, problems } from './problem';

// Bodies are checked strictly as sent; query strings arrive as text, so they are coerced.
const bodies = addFormats(new Ajv({ allErrors: true, strict: true }));
const queries = addFormats(
  new Ajv({ allErrors: true, strict: true, coerceTypes: true, useDefaults: true }),
);

/** `/items/0/quantity` -> `items[0].quantity`. */
function fieldOf(error: ErrorObject, root: string): string {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('');
  const child =
    error.keyword === 'required'
      ? `.${(error.params as { missingProperty: string }).missingProperty}`
      : error.keyword === 'additionalProperties'
        ? `.${(error.params as { additionalProperty: string }).additionalProperty}`
        : '';
  const field = `${path}${child}`.replace(/^\./, '');
  return field === '' ? root : field;
}

function messageOf(error: ErrorObject): string {
  if (error.keyword === 'additionalProperties') return 'unknown field';
  if (error.keyword === 'required') return 'required';
  return error.message ?? 'invalid';
}

export function fieldErrors(errors: ErrorObject[] | null | undefined, root: string): FieldError[] {
  const seen = new Set<string>();
  return (errors ?? [])
    .map((error) => ({ field: fieldOf(error, root), message: messageOf(error) }))
    .filter((e) => {
      const key = `${e.field}:${e.message}`;
      return seen.has(key) ? false : (seen.add(key), true);
    })
    .slice(0, 20);
}

export type Validate<T> = (value: unknown) => T;

/**
 * The first string holding a NUL character, by field: valid JSON and valid against any schema,
 * but PostgreSQL's text cannot store it, so it is refused here rather than failing as a 500.
 */
export function nulField(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulField(value[i], `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const found = nulField(child, path === '' ? key : `${path}.${key}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function compile<T>(ajv: Ajv, schema: Schema | JSONSchemaType<T>, root: string): Validate<T> {
  const check = ajv.compile<T>(schema as Schema);
  return (value) => {
    if (!check(value)) throw problems.invalid(fieldErrors(check.errors, root));
    const field = nulField(value);
    if (field !== undefined) {
      throw problems.invalid([
        { field: field === '' ? root : field, message: 'must not contain NUL characters' },
      ]);
    }
    return value;
  };
}

export const bodyValidator = <T>(schema: Schema): Validate<T> => compile<T>(bodies, schema, 'body');
export const queryValidator = <T>(schema: Schema): Validate<T> =>
  compile<T>(queries, schema, 'query');
