/**
 * Division Service Targets (CSS §4): a request type's acknowledgment and resolution targets, each
 * an amount and a unit, optionally chosen by the value of one of the request's attributes (the
 * pothole's resolution target by `road_class`, INTERPRETATION §1 and the sample municipality).
 */

export const targetUnits = ['business_days', 'business_hours', 'hours', 'calendar_days'] as const;
export type TargetUnit = (typeof targetUnits)[number];

export interface Target {
  amount: number;
  unit: TargetUnit;
}

const unitWords: Record<TargetUnit, [singular: string, plural: string]> = {
  business_days: ['business day', 'business days'],
  business_hours: ['business hour', 'business hours'],
  hours: ['hour', 'hours'],
  calendar_days: ['calendar day', 'calendar days'],
};

/** The largest amount citydesk accepts: ten years of business days is already absurd. */
export const maxTargetAmount = 2600;

export const targetSyntaxHelp =
  'write a whole number and a unit, e.g. "2 business days", "8 business hours", "24 hours" or "14 calendar days"';

/** Reads "2 business days", "1 business hour", "24 hours", "7 calendar days". Returns an error text. */
export function parseTarget(text: string): Target | { error: string } {
  const match = /^\s*(\d+)\s+(business\s+days?|business\s+hours?|hours?|calendar\s+days?)\s*$/i.exec(text);
  if (!match) return { error: `"${text}" is not a target: ${targetSyntaxHelp}` };
  const amount = Number(match[1]);
  const words = match[2]!.toLowerCase().replace(/\s+/g, ' ');
  const unit: TargetUnit = words.startsWith('business day')
    ? 'business_days'
    : words.startsWith('business hour')
      ? 'business_hours'
      : words.startsWith('hour')
        ? 'hours'
        : 'calendar_days';
  if (amount > maxTargetAmount) return { error: `"${text}" is too long a target: at most ${maxTargetAmount}` };
  if (amount === 0 && unit !== 'business_days') {
    return { error: `"${text}" is not a target: a target of zero is only meaningful as "0 business days" (the same business day)` };
  }
  return { amount, unit };
}

export function formatTarget(target: Target): string {
  const [one, many] = unitWords[target.unit];
  return `${target.amount} ${target.amount === 1 ? one : many}`;
}

export function isTarget(value: unknown): value is Target {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Record<string, unknown>;
  return (
    typeof t['amount'] === 'number' &&
    Number.isInteger(t['amount']) &&
    t['amount'] >= 0 &&
    (targetUnits as readonly string[]).includes(t['unit'] as string)
  );
}

/** A request type's targets in one DST version. */
export interface ServiceTargets {
  acknowledge: Target;
  resolve: Target;
  /** Targets that replace the defaults when the named attribute has one of these values. */
  byAttribute?: {
    attribute: string;
    values: Record<string, { acknowledge?: Target; resolve?: Target }>;
  };
}

export interface ChosenTargets {
  acknowledge: Target;
  resolve: Target;
  /** The attribute value that chose the targets, when one did. */
  chosenBy?: { attribute: string; value: string };
}

/**
 * The targets for one request: the defaults, or those of the attribute value given. A value with
 * no targets of its own (the pothole's "unknown" road class) keeps the defaults.
 */
export function chooseTargets(targets: ServiceTargets, attributes: Record<string, string | string[] | undefined>): ChosenTargets {
  const rule = targets.byAttribute;
  if (rule) {
    const given = attributes[rule.attribute];
    const value = Array.isArray(given) ? given[0] : given;
    if (value !== undefined && Object.hasOwn(rule.values, value)) {
      const chosen = rule.values[value]!;
      return {
        acknowledge: chosen.acknowledge ?? targets.acknowledge,
        resolve: chosen.resolve ?? targets.resolve,
        chosenBy: { attribute: rule.attribute, value },
      };
    }
  }
  return { acknowledge: targets.acknowledge, resolve: targets.resolve };
}
