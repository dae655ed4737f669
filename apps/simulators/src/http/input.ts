/**
 * Reading request bodies and query strings: each reader names the field it rejects, so a caller
 * with a bug gets a 400 problem that says what to fix instead of a 500 from the database.
 */
import type { Request } from './router';
import { problem } from './problem';

export interface StockLine {
  sku: string;
  quantity: number;
}

export class Input {
  private constructor(
    private readonly fields: Record<string, unknown>,
    private readonly where: string,
  ) {}

  static of(body: unknown, where = ''): Input {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw problem('invalid-request', `${where || 'the body'} must be a JSON object`);
    }
    return new Input(body as Record<string, unknown>, where);
  }

  string(name: string): string {
    const value = this.fields[name];
    if (typeof value !== 'string' || value.trim() === '')
      throw this.invalid(name, 'a non-empty string');
    return value;
  }

  integer(name: string, min = 0): number {
    const value = this.fields[name];
    if (!Number.isSafeInteger(value) || (value as number) < min) {
      throw this.invalid(name, `an integer >= ${min}`);
    }
    return value as number;
  }

  optionalInteger(name: string, min = 0): number | undefined {
    return this.fields[name] === undefined || this.fields[name] === null
      ? undefined
      : this.integer(name, min);
  }

  optionalBoolean(name: string): boolean | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw this.invalid(name, 'true or false');
    return value;
  }

  /** A number from 0 to 1, e.g. a failure rate. */
  optionalFraction(name: string): number | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
      throw this.invalid(name, 'a number from 0 to 1');
    }
    return value;
  }

  optionalOneOf<V extends string>(name: string, allowed: readonly V[]): V | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null) return undefined;
    if (!allowed.includes(value as V)) throw this.invalid(name, `one of ${allowed.join(', ')}`);
    return value as V;
  }

  optionalStrings(name: string): string[] | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      throw this.invalid(name, 'an array of strings');
    }
    return value as string[];
  }

  currency(name: string): string {
    const value = this.string(name);
    if (!/^[A-Z]{3}$/.test(value)) throw this.invalid(name, 'an ISO 4217 code such as EUR');
    return value;
  }

  optionalHttpUrl(name: string): string | undefined {
    const value = this.fields[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || !/^https?:\/\/./.test(value) || !URL.canParse(value)) {
      throw this.invalid(name, 'an http or https URL');
    }
    return value;
  }

  /** Order lines: at least one, each a sku and a positive quantity. */
  lines(name: string): StockLine[] {
    const value = this.fields[name];
    if (!Array.isArray(value) || value.length === 0) throw this.invalid(name, 'a non-empty array');
    return value.map((line, i) => {
      const item = Input.of(line, `${this.path(name)}[${i}]`);
      return { sku: item.string('sku'), quantity: item.integer('quantity', 1) };
    });
  }

  private path(name: string): string {
    return this.where ? `${this.where}.${name}` : name;
  }

  private invalid(name: string, expected: string) {
    return problem('invalid-request', `${this.path(name)} must be ${expected}`);
  }
}

/** A required query parameter of a listing, e.g. `?orderId=`. */
export function queryParam(request: Request, ...names: string[]): [string, string] {
  for (const name of names) {
    const value = request.query.get(name);
    if (value) return [name, value];
  }
  throw problem('invalid-request', `query parameter ${names.join(' or ')} is required`);
}
