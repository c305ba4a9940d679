import type { Directory } from '../directory/directory-cache.js';
import { jurisdictionId } from './open311-arguments.js';
import type { Open311Discovery } from './open311-format.js';

/** Service discovery (GeoReport v2): where the endpoint is, what it speaks, whom to ask for a key. */
export const specification = 'http://wiki.open311.org/GeoReport_v2';
/** When this endpoint's behaviour last changed. */
export const changeset = '2026-11-26T00:00:00Z';

export function open311Discovery(directory: Directory, baseUrl: string): Open311Discovery {
  const contact = directory.municipality.settings.contact;
  const keys = `Ask ${directory.municipality.name} for an api_key: ${contact.email}, ${contact.phone}.`;
  return {
    changeset,
    contact: `${directory.municipality.name}: ${contact.email}, ${contact.phone}`,
    key_service: keys,
    jurisdiction_id: jurisdictionId(directory),
    endpoints: [{ specification, url: `${baseUrl}/open311/v2`, changeset, type: 'production', formats: ['text/xml', 'application/json'] }],
  };
}
