import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { defaultMapSettings, type MapSettings } from './map-settings.js';
import { defaultNearbyMetres } from './municipality-config.js';
import type { Db, Tx } from '../db/connect.js';
import type { ChannelTable } from '../db/schema.js';
import type { Clock } from '../platform/clock.js';
import type { AttributeDefinition } from '../standard/attributes.js';
import { BusinessCalendar } from '../standard/calendar.js';
import type { ServiceTargets } from '../standard/targets.js';
import { noServiceTargets, unknownRequestType, type RequestTypeTargets } from './find-service-targets.js';
import { closureSource, notSeeded, toServiceTargets, type CalendarSource, type Municipality, type MunicipalitySettings } from './municipality.js';

/**
 * The directory in memory: the municipality's settings and business calendar, its channels,
 * Service Centres, divisions, request types and Division Service Targets. Every contact needs
 * them and they change a few times a year (a re-seed, a closure day), so each server copy keeps
 * them and reloads them when the municipality's directory_revision moves. It looks at that number
 * at most once a second (by the one clock), so a change made by any copy or by the CLI is seen by
 * every copy within about a second.
 */

export interface DirectoryChannel {
  code: string;
  name: string;
  hours: ChannelTable['hours'];
  phones: string[];
  email: string | null;
  url: string | null;
  serviceRequests: boolean;
}

export interface DirectoryServiceCentre {
  id: number;
  code: string;
  name: string;
}

export interface DirectoryDivision {
  id: number;
  code: string;
  name: string;
  departmentId: number;
  contactPhone: string | null;
  contactEmail: string | null;
  isCustomerService: boolean;
}

export interface DirectoryRequestType {
  id: number;
  code: string;
  name: string;
  divisionId: number;
  attributes: AttributeDefinition[];
  active: boolean;
  /** "Already reported?" radius (issue 19). */
  nearbyMetres: number;
  /** The portal's heading in residents' words, and the type's place in the portal's list. */
  portalGroup: string | null;
  portalOrder: number;
}

export interface DirectoryDstVersion {
  id: number;
  divisionId: number;
  version: number;
  effectiveFrom: string;
}

/** What the directory's one query returns: the municipality row with every list beside it. */
interface DirectoryRows {
  name: string;
  settings: unknown;
  calendar_revision: number;
  directory_revision: number;
  closureChanges: { closure_date: string; action: 'add' | 'remove'; name: string }[];
  channels: { code: string; name: string; hours: ChannelTable['hours']; phones: string[]; email: string | null; url: string | null; service_requests: boolean }[];
  serviceCentres: DirectoryServiceCentre[];
  divisions: { id: number; code: string; name: string; department_id: number; contact_phone: string | null; contact_email: string | null; is_customer_service: boolean }[];
  requestTypes: { id: number; code: string; name: string; division_id: number; attributes: unknown; active: boolean; nearby_metres: number; portal_group: string | null; portal_order: number }[];
  dstVersions: { id: number; division_id: number; version: number; effective_from: string }[];
  dstTargets: {
    dst_version_id: number;
    request_type_id: number;
    acknowledge_amount: number;
    acknowledge_unit: ServiceTargets['acknowledge']['unit'];
    resolve_amount: number;
    resolve_unit: ServiceTargets['resolve']['unit'];
    targets_by: unknown;
  }[];
}

/**
 * The business calendar of a directory snapshot. One create formats the same few instants several
 * times (its audit event, the case view, the next deadline) and many cases share a deadline (16:30
 * on a business day); formatting in a time zone is the slow part, so recent results are kept.
 */
class DirectoryCalendar extends BusinessCalendar {
  private readonly formatted = new Map<number, string>();

  override format(at: number): string {
    let text = this.formatted.get(at);
    if (text === undefined) {
      if (this.formatted.size >= 1_000) this.formatted.clear();
      text = super.format(at);
      this.formatted.set(at, text);
    }
    return text;
  }
}

/** One snapshot of the directory. Nothing in it is changed after it is built. */
export class Directory {
  readonly revision: number;
  readonly municipality: Municipality;
  readonly calendar: BusinessCalendar;
  /** In the order the database lists them, as the messages that name them always have. */
  readonly channels: readonly DirectoryChannel[];
  readonly serviceCentres: readonly DirectoryServiceCentre[];
  /** By code. */
  readonly divisions: readonly DirectoryDivision[];
  /** The active request types' codes, in order. */
  readonly activeRequestTypeCodes: readonly string[];
  /** The map, the geocoder and the municipal boundary (config/map.yaml; issue 19). */
  readonly map: MapSettings;

  private readonly channelsByCode: Map<string, DirectoryChannel>;
  private readonly centresByCode: Map<string, DirectoryServiceCentre>;
  private readonly centresById: Map<number, DirectoryServiceCentre>;
  private readonly divisionsById: Map<number, DirectoryDivision>;
  private readonly divisionsByCode: Map<string, DirectoryDivision>;
  private readonly requestTypesById: Map<number, DirectoryRequestType>;
  private readonly requestTypesByCode: Map<string, DirectoryRequestType>;
  private readonly dstVersionsById: Map<number, DirectoryDstVersion>;
  /** Per request type: the versions with a target for it, oldest effective date first. */
  private readonly targetsByType: Map<number, { version: DirectoryDstVersion; targets: ServiceTargets }[]>;

  constructor(rows: DirectoryRows) {
    const settings = rows.settings as MunicipalitySettings;
    this.revision = rows.directory_revision;
    this.map = settings.map ?? defaultMapSettings;
    this.municipality = { name: rows.name, settings, calendarRevision: rows.calendar_revision };
    const changes = rows.closureChanges.map((c) => ({ date: c.closure_date, action: c.action, name: c.name }));
    this.calendar = new DirectoryCalendar(settings.calendar, closureSource(settings.closureRules, changes));
    this.channels = rows.channels.map((c) => ({ code: c.code, name: c.name, hours: c.hours, phones: c.phones, email: c.email, url: c.url, serviceRequests: c.service_requests }));
    this.serviceCentres = rows.serviceCentres;
    this.divisions = rows.divisions.map((d) => ({
      id: d.id,
      code: d.code,
      name: d.name,
      departmentId: d.department_id,
      contactPhone: d.contact_phone,
      contactEmail: d.contact_email,
      isCustomerService: d.is_customer_service,
    }));
    const requestTypes = rows.requestTypes.map((t) => ({
      id: t.id,
      code: t.code,
      name: t.name,
      divisionId: t.division_id,
      attributes: t.attributes as AttributeDefinition[],
      active: t.active,
      nearbyMetres: t.nearby_metres,
      portalGroup: t.portal_group,
      portalOrder: t.portal_order,
    }));
    this.activeRequestTypeCodes = requestTypes.filter((t) => t.active).map((t) => t.code);
    this.channelsByCode = new Map(this.channels.map((c) => [c.code, c]));
    this.centresByCode = new Map(this.serviceCentres.map((c) => [c.code, c]));
    this.centresById = new Map(this.serviceCentres.map((c) => [c.id, c]));
    this.divisionsById = new Map(this.divisions.map((d) => [d.id, d]));
    this.divisionsByCode = new Map(this.divisions.map((d) => [d.code, d]));
    this.requestTypesById = new Map(requestTypes.map((t) => [t.id, t]));
    this.requestTypesByCode = new Map(requestTypes.map((t) => [t.code, t]));
    const versions = rows.dstVersions.map((v) => ({ id: v.id, divisionId: v.division_id, version: v.version, effectiveFrom: v.effective_from }));
    this.dstVersionsById = new Map(versions.map((v) => [v.id, v]));
    this.targetsByType = new Map();
    for (const row of rows.dstTargets) {
      const version = this.dstVersionsById.get(row.dst_version_id)!;
      const list = this.targetsByType.get(row.request_type_id) ?? [];
      list.push({ version, targets: toServiceTargets(row) });
      this.targetsByType.set(row.request_type_id, list);
    }
    for (const list of this.targetsByType.values()) list.sort((a, b) => (a.version.effectiveFrom < b.version.effectiveFrom ? -1 : 1));
  }

  channel(code: string): DirectoryChannel | undefined {
    return this.channelsByCode.get(code);
  }

  serviceCentre(code: string): DirectoryServiceCentre | undefined {
    return this.centresByCode.get(code);
  }

  serviceCentreById(id: number): DirectoryServiceCentre | undefined {
    return this.centresById.get(id);
  }

  division(id: number): DirectoryDivision | undefined {
    return this.divisionsById.get(id);
  }

  divisionByCode(code: string): DirectoryDivision | undefined {
    return this.divisionsByCode.get(code);
  }

  customerServiceDivision(): DirectoryDivision | undefined {
    return this.divisions.find((d) => d.isCustomerService);
  }

  requestType(id: number): DirectoryRequestType | undefined {
    return this.requestTypesById.get(id);
  }

  /** Any request type by code, retired ones included (history and reports still name them). */
  /** How near an open request of this type counts as "already reported" (issue 19). */
  nearbyMetres(code: string): number {
    return this.requestTypesByCode.get(code)?.nearbyMetres ?? defaultNearbyMetres;
  }

  requestTypeByCode(code: string): DirectoryRequestType | undefined {
    return this.requestTypesByCode.get(code);
  }

  /** Every request type, retired ones included, in the order the database lists them. */
  allRequestTypes(): DirectoryRequestType[] {
    return [...this.requestTypesById.values()];
  }

  dstVersion(id: number): DirectoryDstVersion | undefined {
    return this.dstVersionsById.get(id);
  }

  /** Every DST version of every division, in no particular order (a report's "what changed"). */
  allDstVersions(): DirectoryDstVersion[] {
    return [...this.dstVersionsById.values()];
  }

  /**
   * As findServiceTargets: the targets of the division's DST version in force on the receipt's
   * local date, or its first version for a receipt before that (an import of older records).
   */
  serviceTargets(requestTypeCode: string, receivedAt: number): RequestTypeTargets {
    const type = this.requestTypesByCode.get(requestTypeCode);
    if (!type || !type.active) throw unknownRequestType(requestTypeCode, this.activeRequestTypeCodes);
    const division = this.divisionsById.get(type.divisionId)!;
    const receiptDate = this.calendar.localDate(receivedAt);
    const versions = (this.targetsByType.get(type.id) ?? []).filter((v) => v.version.divisionId === type.divisionId);
    const inForce = versions.findLast((v) => v.version.effectiveFrom <= receiptDate) ?? versions[0];
    if (!inForce) throw noServiceTargets(type.code);
    return {
      requestType: { id: type.id, code: type.code, name: type.name, attributes: type.attributes },
      division: { id: division.id, code: division.code, name: division.name },
      dstVersion: { id: inForce.version.id, version: inForce.version.version, effectiveFrom: inForce.version.effectiveFrom },
      targets: inForce.targets,
    };
  }
}

/** Reads the whole directory in one statement, so it is one consistent snapshot. */
export async function loadDirectory(tx: Tx): Promise<Directory> {
  const rows = await tx
    .selectFrom('municipality')
    .select((eb) => [
      'municipality.name',
      'municipality.settings',
      'municipality.calendar_revision',
      'municipality.directory_revision',
      jsonArrayFrom(eb.selectFrom('closure_change').select(['closure_change.closure_date', 'closure_change.action', 'closure_change.name']).orderBy('closure_change.closure_date')).as(
        'closureChanges',
      ),
      jsonArrayFrom(
        eb
          .selectFrom('channel')
          .select(['channel.code', 'channel.name', 'channel.hours', 'channel.phones', 'channel.email', 'channel.url', 'channel.service_requests']),
      ).as('channels'),
      jsonArrayFrom(eb.selectFrom('service_centre').select(['service_centre.id', 'service_centre.code', 'service_centre.name'])).as('serviceCentres'),
      jsonArrayFrom(
        eb
          .selectFrom('division')
          .select(['division.id', 'division.code', 'division.name', 'division.department_id', 'division.contact_phone', 'division.contact_email', 'division.is_customer_service'])
          .orderBy('division.code'),
      ).as('divisions'),
      jsonArrayFrom(
        eb
          .selectFrom('request_type')
          .select(['request_type.id', 'request_type.code', 'request_type.name', 'request_type.division_id', 'request_type.attributes', 'request_type.active', 'request_type.nearby_metres', 'request_type.portal_group', 'request_type.portal_order'])
          .orderBy('request_type.code'),
      ).as('requestTypes'),
      jsonArrayFrom(eb.selectFrom('dst_version').select(['dst_version.id', 'dst_version.division_id', 'dst_version.version', 'dst_version.effective_from'])).as('dstVersions'),
      jsonArrayFrom(
        eb
          .selectFrom('dst_target')
          .select([
            'dst_target.dst_version_id',
            'dst_target.request_type_id',
            'dst_target.acknowledge_amount',
            'dst_target.acknowledge_unit',
            'dst_target.resolve_amount',
            'dst_target.resolve_unit',
            'dst_target.targets_by',
          ]),
      ).as('dstTargets'),
    ])
    .executeTakeFirst();
  if (!rows) throw notSeeded();
  return new Directory(rows as DirectoryRows);
}

/** Each server copy's directory: reloaded when its revision moves, looked at once a second at most. */
export class DirectoryCache {
  private current: Directory | undefined;
  private checkedAt = Number.NaN;
  private pending: Promise<Directory> | undefined;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly checkEveryMs = 1_000,
  ) {}

  /** The directory; pass the transaction you are in (the embedded database has one connection). */
  async get(tx?: Tx): Promise<Directory> {
    const now = this.clock.now().getTime();
    // Either way: a test's clock can be set back.
    if (this.current && Math.abs(now - this.checkedAt) < this.checkEveryMs) return this.current;
    if (tx) return this.refresh(tx, now);
    // Requests that arrive while one looks share its answer.
    this.pending ??= this.refresh(this.db.kysely, now).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** The business calendar, for code that needs nothing else. */
  readonly calendars: CalendarSource = { get: async (tx?: Tx) => (await this.get(tx)).calendar };

  private async refresh(tx: Tx, now: number): Promise<Directory> {
    const row = await tx.selectFrom('municipality').select('directory_revision').executeTakeFirst();
    if (!row) throw notSeeded();
    const directory = this.current?.revision === row.directory_revision ? this.current : await loadDirectory(tx);
    this.current = directory;
    this.checkedAt = now;
    return directory;
  }
}
