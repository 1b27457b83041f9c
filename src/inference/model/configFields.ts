/**
 * Typed reads of fields from a model folder's JSON files. Every error names the file and the field, so a user
 * with a hand-edited or half-converted config knows exactly what to correct.
 */
import { badModel, type LensError } from '../../core/errors';
import { quoteJson } from '../../core/quoteJson';

/** A parsed JSON object. */
export type JsonObject = Record<string, unknown>;

/** What a numeric field must be. */
export type NumberRule = 'positive' | 'positiveInt' | 'nonNegativeInt' | 'any';

const ruleText: Record<NumberRule, string> = {
  positive: 'a positive number',
  positiveInt: 'a positive integer',
  nonNegativeInt: 'a non-negative integer',
  any: 'a finite number',
};

/** True for a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the fields of one JSON file; `file` is the name errors show, e.g. "config.json". */
export class FieldReader {
  constructor(
    readonly file: string,
    private readonly fix = `Correct the value in ${file}, or export the model again.`,
  ) {}

  /** An error about the field at `path` (dotted, as the user would search for it). */
  invalid(path: string, problem: string): LensError {
    return badModel(this.file, `field "${path}" ${problem}`, this.fix);
  }

  /** A number checked against `rule`, or undefined when the field is absent or null. */
  number(obj: JsonObject, key: string, rule: NumberRule, path = key): number | undefined {
    const value = obj[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !isValid(value, rule)) {
      throw this.invalid(path, `must be ${ruleText[rule]}, got ${quoteJson(value)}`);
    }
    return value;
  }

  /** A boolean, or undefined when absent or null. */
  boolean(obj: JsonObject, key: string, path = key): boolean | undefined {
    const value = obj[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw this.invalid(path, `must be true or false, got ${quoteJson(value)}`);
    return value;
  }

  /** A nested object, or undefined when absent or null. */
  object(obj: JsonObject, key: string, path = key): JsonObject | undefined {
    const value = obj[key];
    if (value === undefined || value === null) return undefined;
    if (!isJsonObject(value)) throw this.invalid(path, `must be an object, got ${quoteJson(value)}`);
    return value;
  }
}

function isValid(value: number, rule: NumberRule): boolean {
  if (!Number.isFinite(value)) return false;
  switch (rule) {
    case 'positive':
      return value > 0;
    case 'positiveInt':
      return Number.isInteger(value) && value > 0;
    case 'nonNegativeInt':
      return Number.isInteger(value) && value >= 0;
    case 'any':
      return true;
  }
}
