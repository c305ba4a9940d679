import type { Directory } from '../directory/directory-cache.js';
import { isAppError } from '../platform/errors.js';
import { chooseTargets, type TargetUnit } from '../standard/targets.js';

/**
 * The unit of a service request's resolution target, as chosen at receipt (CSS §4, INTERPRETATION
 * §1): the request type's targets in force that day and its attributes (a pothole's road class).
 * Undefined for an inquiry, or a type no longer offered.
 */
export function resolutionTargetUnit(
  directory: Directory,
  c: { requestType: { code: string | null } | null; receivedAt: string | null; attributes: Record<string, string | string[] | undefined> | null },
): TargetUnit | undefined {
  if (!c.requestType?.code || !c.receivedAt) return undefined;
  try {
    return chooseTargets(directory.serviceTargets(c.requestType.code, Date.parse(c.receivedAt)).targets, c.attributes ?? {}).resolve?.unit;
  } catch (error) {
    if (isAppError(error)) return undefined;
    throw error;
  }
}

/** The same, for a case as stored (request_type_id, received_at, attributes). */
export function caseResolutionUnit(
  directory: Directory,
  c: { request_type_id: number | null; received_at: Date | string; attributes: Record<string, string | string[] | undefined> | null },
): TargetUnit | undefined {
  const code = c.request_type_id === null ? null : (directory.requestType(c.request_type_id)?.code ?? null);
  return resolutionTargetUnit(directory, { requestType: { code }, receivedAt: new Date(c.received_at).toISOString(), attributes: c.attributes });
}
