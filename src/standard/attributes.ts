/**
 * A request type's attributes (its questions), as in Open311 GeoReport v2 service definitions,
 * and the check of the values a request gives for them.
 */
export interface AttributeDefinition {
  code: string;
  datatype: 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist';
  required: boolean;
  description: string;
  values?: { key: string; name: string }[] | undefined;
}

export type AttributeValues = Record<string, string | string[]>;

export interface AttributeProblem {
  field: string;
  message: string;
}

export function checkAttributeValues(
  definitions: readonly AttributeDefinition[],
  given: AttributeValues,
  options: { enforceRequired: boolean },
): AttributeProblem[] {
  const problems: AttributeProblem[] = [];
  const known = new Map(definitions.map((d) => [d.code, d]));
  for (const [code, value] of Object.entries(given)) {
    const definition = known.get(code);
    if (!definition) {
      problems.push({
        field: `attribute[${code}]`,
        message: definitions.length > 0 ? `"${code}" is not a question of this request type; its questions are ${definitions.map((d) => d.code).join(', ')}` : `"${code}" is not a question of this request type; it has none`,
      });
      continue;
    }
    const values = Array.isArray(value) ? value : [value];
    if (definition.datatype !== 'multivaluelist' && Array.isArray(value)) {
      problems.push({ field: `attribute[${code}]`, message: `${code} takes one value, not a list` });
      continue;
    }
    for (const v of values) {
      const problem = checkOne(definition, v);
      if (problem) problems.push({ field: `attribute[${code}]`, message: problem });
    }
  }
  if (options.enforceRequired) {
    for (const definition of definitions) {
      const value = given[definition.code];
      if (definition.required && (value === undefined || (Array.isArray(value) ? value.length === 0 : value.trim() === ''))) {
        problems.push({ field: `attribute[${definition.code}]`, message: `${definition.code} is required: ${definition.description}` });
      }
    }
  }
  return problems;
}

function checkOne(definition: AttributeDefinition, value: string): string | undefined {
  switch (definition.datatype) {
    case 'singlevaluelist':
    case 'multivaluelist': {
      const keys = (definition.values ?? []).map((v) => v.key);
      return keys.includes(value) ? undefined : `"${value}" is not an answer to ${definition.code}; choose one of ${keys.join(', ')}`;
    }
    case 'number':
      return value.trim() !== '' && Number.isFinite(Number(value)) ? undefined : `${definition.code} must be a number, not "${value}"`;
    case 'datetime':
      return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) && !Number.isNaN(Date.parse(value))
        ? undefined
        : `${definition.code} must be a date and time such as 2026-11-26T14:30:00-05:00, not "${value}"`;
    case 'string':
      return value.length <= 1000 ? undefined : `${definition.code} is too long (at most 1,000 characters)`;
    case 'text':
      return value.length <= 4000 ? undefined : `${definition.code} is too long (at most 4,000 characters)`;
  }
}

/** The key a list answer takes when the customer is not sure (the sample's road class: "Not sure"). */
export const notSureKey = 'unknown';

/**
 * A customer's answer to a request type's question, in words (issue 18): a list's keys as their
 * names, and "Not sure" where the customer said not sure, never the bare key or a blank. An answer
 * the definition does not know (a retired value) reads as it was given.
 */
export function attributeAnswerWords(definition: AttributeDefinition | undefined, value: string | string[]): string {
  const names = new Map((definition?.values ?? []).map((v) => [v.key, v.name]));
  return (Array.isArray(value) ? value : [value])
    .map((key) => names.get(key) ?? (key === notSureKey ? 'Not sure' : key))
    .join(', ');
}
