import { Type, type Static } from '@sinclair/typebox';

/**
 * Where the City is on a map (config/map.yaml, optional; issue 19): the tile server the report
 * form's map and the staff case page draw from, the reverse geocoder that turns a point into a
 * nearby address (none by default: nothing leaves the server unless a City sets one), where the
 * map opens, and the municipal boundary outside which no report is taken.
 */

const Latitude = Type.Number({ minimum: -90, maximum: 90 });
const Longitude = Type.Number({ minimum: -180, maximum: 180 });
const Point = Type.Tuple([Latitude, Longitude]);

export const MapFile = Type.Object(
  {
    tiles: Type.Object(
      {
        url: Type.String({ pattern: '^https?://[^\\s]+\\{z\\}[^\\s]*$', maxLength: 500 }),
        attribution: Type.String({ minLength: 1, maxLength: 300 }),
        maxZoom: Type.Optional(Type.Integer({ minimum: 1, maximum: 22 })),
      },
      { additionalProperties: false },
    ),
    geocoder: Type.Optional(Type.Union([Type.Null(), Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 500 })])),
    centre: Type.Object({ latitude: Latitude, longitude: Longitude, zoom: Type.Integer({ minimum: 1, maximum: 20 }) }, { additionalProperties: false }),
    boundary: Type.Optional(
      Type.Object(
        {
          name: Type.String({ minLength: 1, maxLength: 200 }),
          // A box is [[south, west], [north, east]]; a polygon lists its corners as [latitude, longitude].
          box: Type.Optional(Type.Tuple([Point, Point])),
          polygon: Type.Optional(Type.Array(Point, { minItems: 3, maxItems: 5000 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type MapFileValue = Static<typeof MapFile>;

export interface MunicipalBoundary {
  name: string;
  /** Corners as [latitude, longitude], in order; a box is stored as its four corners. */
  polygon: [number, number][];
}

export interface MapSettings {
  tiles: { url: string; attribution: string; maxZoom: number };
  geocoder: string | null;
  centre: { latitude: number; longitude: number; zoom: number };
  boundary: MunicipalBoundary | null;
}

/** Without config/map.yaml: OpenStreetMap's tiles, no geocoder, no boundary (every point on Earth accepted). */
export const defaultMapSettings: MapSettings = {
  tiles: { url: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png', attribution: '© OpenStreetMap contributors', maxZoom: 19 },
  geocoder: null,
  centre: { latitude: 0, longitude: 0, zoom: 2 },
  boundary: null,
};

export function mapSettingsOf(file: MapFileValue): MapSettings {
  const b = file.boundary;
  const polygon: [number, number][] | undefined = b?.polygon
    ? b.polygon.map(([lat, lon]) => [lat, lon])
    : b?.box
      ? [
          [b.box[0][0], b.box[0][1]],
          [b.box[1][0], b.box[0][1]],
          [b.box[1][0], b.box[1][1]],
          [b.box[0][0], b.box[1][1]],
        ]
      : undefined;
  return {
    tiles: { url: file.tiles.url, attribution: file.tiles.attribution, maxZoom: file.tiles.maxZoom ?? 19 },
    geocoder: file.geocoder ?? null,
    centre: file.centre,
    boundary: b && polygon ? { name: b.name, polygon } : null,
  };
}

/** Whether a point is inside the boundary (ray casting; a point on an edge counts as inside). */
export function insideBoundary(boundary: MunicipalBoundary | null, point: { latitude: number; longitude: number }): boolean {
  if (!boundary) return true;
  const { polygon } = boundary;
  const y = point.latitude;
  const x = point.longitude;
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i, i += 1) {
    const [yi, xi] = polygon[i]!;
    const [yj, xj] = polygon[j]!;
    if (onSegment(y, x, yi, xi, yj, xj)) return true;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function onSegment(y: number, x: number, y1: number, x1: number, y2: number, x2: number): boolean {
  const cross = (x - x1) * (y2 - y1) - (y - y1) * (x2 - x1);
  if (Math.abs(cross) > 1e-12) return false;
  return x >= Math.min(x1, x2) && x <= Math.max(x1, x2) && y >= Math.min(y1, y2) && y <= Math.max(y1, y2);
}

/** The words every channel uses to refuse a point outside the City. */
export function outsideBoundaryMessage(boundary: MunicipalBoundary): string {
  return `That point is outside the ${boundary.name}, so we cannot take a report for it. Move the marker, or check the latitude and longitude, to a place inside the ${boundary.name}. For a place in a neighbouring municipality, contact that municipality.`;
}

/** The tile server's origin, for the pages' Content-Security-Policy. */
export function tileOrigin(settings: MapSettings): string {
  const origin = new URL(settings.tiles.url.replace(/\{[a-z]\}/g, 'a')).origin;
  // "https://{s}.tile.example.org": every subdomain the tile layer may use.
  return /^https?:\/\/\{s\}\./.test(settings.tiles.url) ? origin.replace('://a.', '://*.') : origin;
}
