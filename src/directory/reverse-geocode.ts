import type { MapSettings } from './map-settings.js';

/**
 * The address nearest a point, from the reverse geocoder config/map.yaml names (Nominatim's
 * /reverse and services that answer like it: `?lat=..&lon=..&format=jsonv2` → `display_name`).
 * None is configured by default, and then nothing is asked: a resident's point leaves citydesk
 * only for a service the City chose. A slow or failing geocoder gives no address, never an error:
 * the resident types it.
 */
export async function nearestAddress(map: MapSettings, point: { latitude: number; longitude: number }, timeoutMs = 3000): Promise<string | null> {
  if (!map.geocoder) return null;
  const url = new URL(map.geocoder);
  url.searchParams.set('lat', point.latitude.toFixed(6));
  url.searchParams.set('lon', point.longitude.toFixed(6));
  url.searchParams.set('format', 'jsonv2');
  try {
    const response = await fetch(url, { headers: { accept: 'application/json', 'user-agent': 'citydesk (municipal service requests)' }, signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return null;
    const body = (await response.json()) as { display_name?: unknown };
    return typeof body.display_name === 'string' && body.display_name.trim() !== '' ? body.display_name.trim().slice(0, 300) : null;
  } catch {
    return null;
  }
}
