import type { FastifyReply } from 'fastify';
import type { MapSettings } from '../directory/map-settings.js';
import { tileOrigin } from '../directory/map-settings.js';

/**
 * The map of a place (issue 19): on the report form a marker the resident drags to the problem,
 * on the staff case page the point a case was reported at. Leaflet, served by citydesk itself
 * (/assets/leaflet/), draws it over the configured tile server's pictures. Without JavaScript the
 * map is not there at all and the latitude and longitude fields (or the coordinates and a link)
 * do its work; when the tiles cannot load, the marker and the fields still work.
 */

export const mapAssets = { styles: ['/assets/leaflet/leaflet.css'], scripts: ['/assets/leaflet/leaflet.js', '/assets/point-map.js'] };

interface PointMapProps {
  map: MapSettings;
  label: string;
  /** A point to show; on the report form, the one chosen so far. */
  point?: { latitude: number; longitude: number } | undefined;
  /** The report form: the ids of the fields the marker fills, and where to ask for the nearby address. */
  choose?: { latitude: string; longitude: string; address: string; lookup: string } | undefined;
}

export function PointMap(props: PointMapProps) {
  const { map } = props;
  const centre = props.point ?? map.centre;
  return (
    <div
      class="point-map"
      hidden
      role="region"
      aria-label={props.label}
      data-point-map={props.choose ? 'choose' : 'show'}
      data-tiles={map.tiles.url}
      data-attribution={map.tiles.attribution}
      data-max-zoom={String(map.tiles.maxZoom)}
      data-latitude={String(centre.latitude)}
      data-longitude={String(centre.longitude)}
      data-zoom={String(props.point ? Math.max(map.centre.zoom, 16) : map.centre.zoom)}
      data-has-point={props.point ? 'yes' : 'no'}
      data-boundary={map.boundary ? JSON.stringify(map.boundary.polygon) : undefined}
      data-latitude-field={props.choose?.latitude}
      data-longitude-field={props.choose?.longitude}
      data-address-field={props.choose?.address}
      data-lookup={props.choose?.lookup}
    ></div>
  );
}

/** "44.35012, -78.73915" with a link to open the point on OpenStreetMap's site (works without JavaScript). */
export function PointLink(props: { latitude: number; longitude: number }) {
  const { latitude, longitude } = props;
  return (
    <>
      {latitude.toFixed(5)}, {longitude.toFixed(5)} (
      <a href={`https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=18/${latitude}/${longitude}`}>open on a map</a>)
    </>
  );
}

/** A page with a map loads the tile server's pictures: its Content-Security-Policy says so. */
export function allowMapTiles(reply: FastifyReply, map: MapSettings): FastifyReply {
  const policy = reply.getHeader('content-security-policy');
  if (typeof policy === 'string') void reply.header('content-security-policy', policy.replace(/img-src ([^;]*)/, (_all, sources: string) => `img-src ${sources} ${tileOrigin(map)}`));
  return reply;
}
