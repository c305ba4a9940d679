import { existsSync, readFileSync } from 'node:fs';
import { checkArticlesConfig, checkTemplatesConfig, KnowledgeBaseFile, ResponseTemplatesFile, type ArticleConfig, type TemplateConfig } from '../knowledge/knowledge-config.js';
import { join, relative } from 'node:path';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { AppError, type ErrorDetail } from '../platform/errors.js';
import { checkClosureRules, type ClosureRules } from '../standard/closures.js';
import { minutesOfDay, type CalendarRules } from '../standard/calendar.js';
import { parseTarget, type ServiceTargets, type Target } from '../standard/targets.js';
import { defaultGovernance, GovernanceFile, readGovernance, type GovernanceConfig } from '../governance/governance-config.js';
import { defaultReportConfig, readReports, ReportsFile, type ReportConfig } from '../reports/report-config.js';
import { defaultSurveyRules, type SurveyRules } from '../standard/customer-satisfaction.js';
import { defaultPerformanceRules, type PerformanceRules } from '../standard/performance-indicators.js';
import { defaultMapSettings, MapFile, mapSettingsOf, type MapSettings } from './map-settings.js';

/**
 * The municipality's configuration: the files under config/, validated as a whole before anything
 * is written, so a broken file fails with its name, the field and what is wrong and never
 * half-loads.
 */

const Code = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]*$', maxLength: 64 });
const Text = Type.String({ minLength: 1, maxLength: 500 });

const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

const MunicipalityFile = Type.Object(
  {
    name: Text,
    standard: Text,
    website: Type.Optional(Text),
    timeZone: Text,
    administrationHours: Type.Object(
      {
        days: Type.Array(Type.Union(weekdays.map((d) => Type.Literal(d))), { minItems: 1, uniqueItems: true }),
        opens: Type.String(),
        closes: Type.String(),
      },
      { additionalProperties: false },
    ),
    contact: Type.Object({ phone: Text, email: Text }, { additionalProperties: false }),
    generalInquiry: Type.Object({ acknowledge: Type.String() }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);

const ClosuresFile = Type.Object(
  {
    country: Type.String({ pattern: '^[A-Z]{2}$' }),
    region: Type.Optional(Type.String({ minLength: 1 })),
    include: Type.Array(Text),
    add: Type.Array(Type.Object({ name: Text, rule: Text }, { additionalProperties: false })),
    observedSuffix: Type.String(),
  },
  { additionalProperties: false },
);

export const roleCodes = [
  'customer_service',
  'division_staff',
  'division_head',
  'department_head',
  'manager_customer_service',
  'cao',
  'working_group',
  'administrator',
] as const;
export type RoleCode = (typeof roleCodes)[number];

const OrganizationFile = Type.Object(
  {
    customerServiceDivision: Code,
    caoOffice: Code,
    departments: Type.Array(
      Type.Object(
        {
          code: Code,
          name: Text,
          head: Text,
          divisions: Type.Array(
            Type.Object(
              {
                code: Code,
                name: Text,
                head: Text,
                contact: Type.Optional(Type.Object({ phone: Type.Optional(Text), email: Type.Optional(Text) }, { additionalProperties: false })),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
    roles: Type.Array(Type.Object({ code: Type.Union(roleCodes.map((r) => Type.Literal(r))), name: Text }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

const ServiceCentresFile = Type.Object(
  {
    serviceCentres: Type.Array(Type.Object({ code: Code, name: Text, address: Text }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

// open311: requests from Open311 clients (FixMyStreet and other apps), recorded with the key's name.
export const channelCodes = ['phone', 'email', 'in_person', 'web_portal', 'social_media', 'after_hours_emergency', 'open311'] as const;
export type ChannelCode = (typeof channelCodes)[number];

const ChannelsFile = Type.Object(
  {
    channels: Type.Array(
      Type.Object(
        {
          code: Type.Union(channelCodes.map((c) => Type.Literal(c))),
          name: Text,
          hours: Type.Union([Type.Literal('administration'), Type.Literal('always'), Type.Literal('outside-administration')]),
          phones: Type.Optional(Type.Array(Text)),
          email: Type.Optional(Text),
          url: Type.Optional(Text),
          serviceRequests: Type.Boolean(),
        },
        { additionalProperties: false },
      ),
    ),
    emergency: Type.Object({ phone: Text, for: Text }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);

const datatypes = ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'] as const;

const AttributeSchema = Type.Object(
  {
    code: Type.String({ pattern: '^[A-Za-z0-9_-]+$', maxLength: 64 }),
    datatype: Type.Union(datatypes.map((d) => Type.Literal(d))),
    required: Type.Boolean(),
    description: Text,
    values: Type.Optional(Type.Array(Type.Object({ key: Type.String({ minLength: 1, maxLength: 100 }), name: Text }, { additionalProperties: false }), { minItems: 1 })),
  },
  { additionalProperties: false },
);

const TargetPair = Type.Object({ acknowledge: Type.Optional(Type.String()), resolve: Type.Optional(Type.String()) }, { additionalProperties: false });

const RequestTypesFile = Type.Object(
  {
    effectiveFrom: Type.String(),
    requestTypes: Type.Array(
      Type.Object(
        {
          code: Code,
          name: Text,
          division: Code,
          description: Text,
          acknowledge: Type.String(),
          resolve: Type.String(),
          targetsBy: Type.Optional(
            Type.Object({ attribute: Type.String(), values: Type.Record(Type.String(), TargetPair) }, { additionalProperties: false }),
          ),
          attributes: Type.Optional(Type.Array(AttributeSchema)),
          afterHoursLine: Type.Optional(Type.Boolean()),
          // Issue 19: how near an open request of this type must be to count as "already reported".
          nearbyMetres: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
          // The heading the portal lists this type under, in residents' words.
          group: Type.Optional(Text),
        },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
  },
  { additionalProperties: false },
);

const StaffFile = Type.Object(
  {
    demoPassword: Type.Optional(Type.String({ minLength: 12, maxLength: 200 })),
    accounts: Type.Array(
      Type.Object(
        {
          email: Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$', maxLength: 254 }),
          name: Text,
          role: Type.Union(roleCodes.map((r) => Type.Literal(r))),
          division: Type.Optional(Code),
          department: Type.Optional(Code),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** config/feedback.yaml (optional): the survey's timing and limits and the feedback themes. */
const FeedbackFile = Type.Object(
  {
    survey: Type.Object(
      {
        inviteAfter: Type.String(),
        linkExpiresDays: Type.Integer({ minimum: 1, maximum: 365 }),
        oncePerDays: Type.Integer({ minimum: 0, maximum: 365 }),
      },
      { additionalProperties: false },
    ),
    themes: Type.Array(Type.Object({ code: Code, name: Text }, { additionalProperties: false }), { minItems: 1 }),
  },
  { additionalProperties: false },
);

/**
 * config/performance.yaml (optional): the City's choices in performance monitoring (INTERPRETATION
 * §7): the share of the time to a target after which an open case is at risk, and the smallest
 * group shown as a percentage.
 */
const PerformanceFile = Type.Object(
  {
    atRiskShare: Type.String(),
    minimumGroupSize: Type.Integer({ minimum: 1, maximum: 1000 }),
  },
  { additionalProperties: false },
);

/** "75%" → 0.75 (1% to 99%), or what to write instead. */
export function parseAtRiskShare(text: string): number | { error: string } {
  const m = /^\s*(\d{1,2}(?:\.\d+)?)\s*%\s*$/.exec(text);
  const value = m ? Number(m[1]) : NaN;
  if (!m || value < 1 || value > 99) return { error: `"${text.slice(0, 20)}" is not a share of the time to a target; write a percentage from 1% to 99%, e.g. "75%"` };
  return value / 100;
}

export interface FeedbackConfig {
  survey: SurveyRules;
  themes: { code: string; name: string }[];
}

/** Without config/feedback.yaml: the issue's defaults and a short list of themes. */
export const defaultFeedbackConfig: FeedbackConfig = {
  survey: defaultSurveyRules,
  themes: [
    { code: 'timeliness', name: 'Timeliness' },
    { code: 'communication', name: 'Communication' },
    { code: 'quality-of-work', name: 'Quality of the work' },
    { code: 'staff-courtesy', name: 'Staff courtesy' },
    { code: 'other', name: 'Other' },
  ],
};

/** Roles that belong to a division; a Department Head belongs to a department; the rest are corporate. */
export const divisionRoles: readonly RoleCode[] = ['customer_service', 'division_staff', 'division_head', 'manager_customer_service'];

export type AttributeDefinition = Static<typeof AttributeSchema>;
export type ChannelConfig = Static<typeof ChannelsFile>['channels'][number];

export interface RequestTypeConfig {
  code: string;
  name: string;
  division: string;
  description: string;
  attributes: AttributeDefinition[];
  afterHoursLine: boolean;
  targets: ServiceTargets;
  /** Open requests of this type within this many metres are shown as "already reported?". */
  nearbyMetres: number;
  /** The portal's heading for this type; types are listed in the file's order (most reported first). */
  group: string | null;
}

/** Without `nearbyMetres`: near enough to be the same pothole, streetlight or fallen tree. */
export const defaultNearbyMetres = 100;

export interface MunicipalityConfig {
  name: string;
  standard: string;
  website: string | undefined;
  calendar: CalendarRules;
  closureRules: ClosureRules;
  contact: { phone: string; email: string };
  generalInquiry: { acknowledge: Target };
  customerServiceDivision: string;
  caoOffice: string;
  departments: {
    code: string;
    name: string;
    head: string;
    divisions: { code: string; name: string; head: string; contact?: { phone?: string | undefined; email?: string | undefined } | undefined }[];
  }[];
  roles: { code: RoleCode; name: string }[];
  serviceCentres: { code: string; name: string; address: string }[];
  channels: ChannelConfig[];
  emergency: { phone: string; for: string };
  dstEffectiveFrom: string;
  requestTypes: RequestTypeConfig[];
  /** Accounts to create when missing (staff.yaml, optional), all with `demoPassword`. */
  staff: { demoPassword: string | undefined; accounts: { email: string; name: string; role: RoleCode; division?: string | undefined; department?: string | undefined }[] };
  /** governance.yaml (optional): the Standard's editions, acknowledgment days, Council terms. */
  governance: GovernanceConfig;
  /** Surveys and feedback themes (feedback.yaml, optional). */
  feedback: FeedbackConfig;
  /** Reports' due dates, scorecard targets and recipients (reports.yaml, optional; CSS §6.3). */
  reports: ReportConfig;
  /** The at-risk share and the minimum group size (performance.yaml, optional). */
  performance: PerformanceRules;
  /** Ready-made responses (response-templates.yaml, optional). */
  responseTemplates: TemplateConfig[];
  /** Knowledge-base articles (knowledge-base.yaml, optional). */
  articles: ArticleConfig[];
  /** The map, the geocoder and the municipal boundary (map.yaml, optional). */
  map: MapSettings;
}

export const configFiles = {
  municipality: 'municipality.yaml',
  closures: 'closures.yaml',
  organization: 'organization.yaml',
  serviceCentres: 'service-centres.yaml',
  channels: 'channels.yaml',
  requestTypes: 'request-types.yaml',
  staff: 'staff.yaml',
  governance: 'governance.yaml',
  feedback: 'feedback.yaml',
  reports: 'reports.yaml',
  performance: 'performance.yaml',
  responseTemplates: 'response-templates.yaml',
  knowledgeBase: 'knowledge-base.yaml',
  map: 'map.yaml',
} as const;

interface Loaded<T> {
  value: T;
  problem(path: (string | number)[], message: string): void;
}

/** Reads and validates every file; throws one AppError listing every problem, first one first. */
export function loadMunicipalityConfig(dir: string): MunicipalityConfig {
  const problems: ErrorDetail[] = [];
  const shown = (file: string): string => relative(process.cwd(), join(dir, file)) || join(dir, file);

  function load<S extends TSchema>(file: string, schema: S): Loaded<Static<S>> | undefined {
    const path = join(dir, file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file is missing' : (error as Error).message;
      problems.push({ field: shown(file), message: `${shown(file)}: ${reason}` });
      return undefined;
    }
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
    const where = (path: (string | number)[]): string => {
      const at = locate(doc, lineCounter, path);
      return `${shown(file)}${at ? `:${at}` : ''}`;
    };
    const problem = (path: (string | number)[], message: string): void => {
      problems.push({ field: `${shown(file)} ${fieldName(path)}`.trim(), message: `${where(path)}: ${fieldName(path) ? `${fieldName(path)}: ` : ''}${message}` });
    };
    if (doc.errors.length > 0) {
      const error = doc.errors[0]!;
      const line = error.linePos?.[0];
      problems.push({ field: shown(file), message: `${shown(file)}${line ? `:${line.line}` : ''}: not valid YAML: ${error.message.split('\n')[0]}` });
      return undefined;
    }
    const value: unknown = doc.toJS();
    const errors = [...Value.Errors(schema, value)];
    if (errors.length > 0) {
      // Report the most specific error of each path once.
      // A misspelt setting shows as an unknown key beside a missing one: report it first, with
      // the right spelling.
      const missing = errors.filter((e) => e.message === 'Expected required property').map((e) => e.path);
      const ordered = [...errors].sort((a, b) => Number(b.message === 'Unexpected property') - Number(a.message === 'Unexpected property'));
      const seen = new Set<string>();
      for (const error of ordered) {
        if (seen.has(error.path)) continue;
        seen.add(error.path);
        const path = error.path.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p.replace(/~1/g, '/').replace(/~0/g, '~')));
        let message = describeSchemaError(error.message, error.value);
        if (error.message === 'Unexpected property') {
          const parent = error.path.slice(0, error.path.lastIndexOf('/'));
          const key = error.path.slice(error.path.lastIndexOf('/') + 1).toLowerCase();
          const meant = missing.find((m) => m.slice(0, m.lastIndexOf('/')) === parent && m.slice(m.lastIndexOf('/') + 1).toLowerCase() === key);
          if (meant) message = `is not a setting citydesk knows; did you mean ${meant.slice(meant.lastIndexOf('/') + 1)}?`;
        }
        problem(path, message);
      }
      return undefined;
    }
    return { value: value as Static<S>, problem };
  }

  const municipality = load(configFiles.municipality, MunicipalityFile);
  const closures = load(configFiles.closures, ClosuresFile);
  const organization = load(configFiles.organization, OrganizationFile);
  const centres = load(configFiles.serviceCentres, ServiceCentresFile);
  const channels = load(configFiles.channels, ChannelsFile);
  const requestTypes = load(configFiles.requestTypes, RequestTypesFile);
  const staff = existsSync(join(dir, configFiles.staff)) ? load(configFiles.staff, StaffFile) : { value: { accounts: [] }, problem: () => undefined };
  const governanceFile = existsSync(join(dir, configFiles.governance)) ? load(configFiles.governance, GovernanceFile) : undefined;
  const governance = governanceFile ? readGovernance(dir, governanceFile.value, governanceFile.problem) : defaultGovernance;

  const reportsFile = existsSync(join(dir, configFiles.reports)) ? load(configFiles.reports, ReportsFile) : undefined;
  const reports = reportsFile ? readReports(reportsFile.value, reportsFile.problem) : defaultReportConfig;

  const feedbackFile = existsSync(join(dir, configFiles.feedback)) ? load(configFiles.feedback, FeedbackFile) : undefined;
  let feedback: FeedbackConfig = defaultFeedbackConfig;
  if (feedbackFile) {
    const f = feedbackFile.value;
    const inviteAfter = parseTarget(f.survey.inviteAfter);
    if ('error' in inviteAfter) feedbackFile.problem(['survey', 'inviteAfter'], inviteAfter.error);
    const themeCodes = new Set<string>();
    f.themes.forEach((t, i) => {
      if (themeCodes.has(t.code)) feedbackFile.problem(['themes', i, 'code'], `theme "${t.code}" is listed twice`);
      themeCodes.add(t.code);
    });
    if (!('error' in inviteAfter)) feedback = { survey: { inviteAfter, linkExpiresDays: f.survey.linkExpiresDays, oncePerDays: f.survey.oncePerDays }, themes: f.themes };
  }

  const performanceFile = existsSync(join(dir, configFiles.performance)) ? load(configFiles.performance, PerformanceFile) : undefined;
  let performance: PerformanceRules = defaultPerformanceRules;
  if (performanceFile) {
    const share = parseAtRiskShare(performanceFile.value.atRiskShare);
    if (typeof share !== 'number') performanceFile.problem(['atRiskShare'], share.error);
    else performance = { atRiskShare: share, minimumGroupSize: performanceFile.value.minimumGroupSize };
  }

  const mapFile = existsSync(join(dir, configFiles.map)) ? load(configFiles.map, MapFile) : undefined;
  if (mapFile?.value.boundary && !mapFile.value.boundary.box === !mapFile.value.boundary.polygon) {
    mapFile.problem(['boundary'], 'give either a box or a polygon');
  }

  let calendar: CalendarRules | undefined;
  let inquiryTarget: Target | undefined;
  if (municipality) {
    const m = municipality.value;
    const opens = minutesOfDay(m.administrationHours.opens);
    const closes = minutesOfDay(m.administrationHours.closes);
    if (opens === undefined) municipality.problem(['administrationHours', 'opens'], `"${m.administrationHours.opens}" is not a time; write HH:MM, e.g. "08:30"`);
    if (closes === undefined) municipality.problem(['administrationHours', 'closes'], `"${m.administrationHours.closes}" is not a time; write HH:MM, e.g. "16:30"`);
    if (opens !== undefined && closes !== undefined && closes <= opens) {
      municipality.problem(['administrationHours', 'closes'], `closes (${m.administrationHours.closes}) must be after opens (${m.administrationHours.opens})`);
    }
    if (!isValidTimeZone(m.timeZone)) municipality.problem(['timeZone'], `"${m.timeZone}" is not an IANA time zone, e.g. America/Toronto`);
    const inquiry = parseTarget(m.generalInquiry.acknowledge);
    if ('error' in inquiry) municipality.problem(['generalInquiry', 'acknowledge'], inquiry.error);
    else inquiryTarget = inquiry;
    if (opens !== undefined && closes !== undefined && closes > opens && isValidTimeZone(m.timeZone)) {
      calendar = { timeZone: m.timeZone, hours: { days: m.administrationHours.days.map((d) => weekdays.indexOf(d) + 1), opens, closes } };
    }
  }

  let closureRules: ClosureRules | undefined;
  if (closures) {
    const c = closures.value;
    closureRules = {
      country: c.country,
      region: c.region,
      include: c.include,
      add: c.add,
      weekdays: calendar?.hours.days ?? [1, 2, 3, 4, 5],
      observedSuffix: c.observedSuffix,
    };
    for (const message of checkClosureRules(closureRules)) {
      const field = message.startsWith('add:') ? ['add'] : message.startsWith('include:') ? ['include'] : message.startsWith('region') ? ['region'] : ['country'];
      closures.problem(field, message.replace(/^(add|include): /, ''));
    }
  }

  const divisionCodes = new Set<string>();
  if (organization) {
    const o = organization.value;
    const departmentCodes = new Set<string>();
    o.departments.forEach((d, i) => {
      if (departmentCodes.has(d.code)) organization.problem(['departments', i, 'code'], `department "${d.code}" is listed twice`);
      departmentCodes.add(d.code);
      d.divisions.forEach((v, j) => {
        if (divisionCodes.has(v.code)) organization.problem(['departments', i, 'divisions', j, 'code'], `division "${v.code}" is listed twice`);
        divisionCodes.add(v.code);
      });
    });
    if (!divisionCodes.has(o.customerServiceDivision)) {
      organization.problem(['customerServiceDivision'], `"${o.customerServiceDivision}" is not one of the divisions listed (${[...divisionCodes].join(', ')})`);
    }
    if (!departmentCodes.has(o.caoOffice)) {
      organization.problem(['caoOffice'], `"${o.caoOffice}" is not one of the departments listed (${[...departmentCodes].join(', ')})`);
    }
    const missingRoles = roleCodes.filter((r) => !o.roles.some((x) => x.code === r));
    if (missingRoles.length > 0) organization.problem(['roles'], `every role needs a name; missing: ${missingRoles.join(', ')}`);
  }

  if (centres) {
    const codes = new Set<string>();
    centres.value.serviceCentres.forEach((c, i) => {
      if (codes.has(c.code)) centres.problem(['serviceCentres', i, 'code'], `service centre "${c.code}" is listed twice`);
      codes.add(c.code);
    });
  }

  if (channels) {
    const codes = new Set<string>();
    channels.value.channels.forEach((c, i) => {
      if (codes.has(c.code)) channels.problem(['channels', i, 'code'], `channel "${c.code}" is listed twice`);
      codes.add(c.code);
      if (c.code === 'social_media' && c.serviceRequests) {
        channels.problem(['channels', i, 'serviceRequests'], 'social media is not an official service-request channel (CSS §3.2); set serviceRequests: false');
      }
    });
  }

  const types: RequestTypeConfig[] = [];
  if (requestTypes) {
    const r = requestTypes.value;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(r.effectiveFrom) || Number.isNaN(Date.parse(`${r.effectiveFrom}T00:00:00Z`))) {
      requestTypes.problem(['effectiveFrom'], `"${r.effectiveFrom}" is not a date; write YYYY-MM-DD, e.g. "2025-01-01"`);
    }
    const codes = new Set<string>();
    r.requestTypes.forEach((t, i) => {
      const at = (...rest: (string | number)[]): (string | number)[] => ['requestTypes', i, ...rest];
      if (codes.has(t.code)) requestTypes.problem(at('code'), `request type "${t.code}" is listed twice`);
      codes.add(t.code);
      if (organization && !divisionCodes.has(t.division)) {
        requestTypes.problem(at('division'), `"${t.division}" is not a division in ${configFiles.organization}`);
      }
      const target = (path: (string | number)[], text: string): Target | undefined => {
        const parsed = parseTarget(text);
        if ('error' in parsed) {
          requestTypes.problem(path, parsed.error);
          return undefined;
        }
        return parsed;
      };
      const acknowledge = target(at('acknowledge'), t.acknowledge);
      const resolve = target(at('resolve'), t.resolve);
      const attributes = t.attributes ?? [];
      const attributeCodes = new Set<string>();
      attributes.forEach((a, j) => {
        if (attributeCodes.has(a.code)) requestTypes.problem(at('attributes', j, 'code'), `attribute "${a.code}" is listed twice`);
        attributeCodes.add(a.code);
        const isList = a.datatype === 'singlevaluelist' || a.datatype === 'multivaluelist';
        if (isList && !a.values) requestTypes.problem(at('attributes', j, 'values'), `a ${a.datatype} attribute needs values`);
        if (!isList && a.values) requestTypes.problem(at('attributes', j, 'values'), `only list attributes have values; this one is ${a.datatype}`);
        const keys = new Set<string>();
        a.values?.forEach((v, k) => {
          if (keys.has(v.key)) requestTypes.problem(at('attributes', j, 'values', k, 'key'), `value "${v.key}" is listed twice`);
          keys.add(v.key);
        });
      });
      let byAttribute: ServiceTargets['byAttribute'];
      if (t.targetsBy) {
        const attribute = attributes.find((a) => a.code === t.targetsBy!.attribute);
        if (!attribute) {
          requestTypes.problem(at('targetsBy', 'attribute'), `"${t.targetsBy.attribute}" is not one of this request type's attributes`);
        } else if (attribute.datatype !== 'singlevaluelist') {
          requestTypes.problem(at('targetsBy', 'attribute'), `targets can only be chosen by a singlevaluelist attribute; "${attribute.code}" is ${attribute.datatype}`);
        }
        const values: NonNullable<ServiceTargets['byAttribute']>['values'] = {};
        for (const [value, pair] of Object.entries(t.targetsBy.values)) {
          if (attribute?.values && !attribute.values.some((v) => v.key === value)) {
            requestTypes.problem(at('targetsBy', 'values', value), `"${value}" is not a value of ${attribute.code} (${attribute.values.map((v) => v.key).join(', ')})`);
          }
          const chosen: { acknowledge?: Target; resolve?: Target } = {};
          if (pair.acknowledge !== undefined) {
            const parsed = target(at('targetsBy', 'values', value, 'acknowledge'), pair.acknowledge);
            if (parsed) chosen.acknowledge = parsed;
          }
          if (pair.resolve !== undefined) {
            const parsed = target(at('targetsBy', 'values', value, 'resolve'), pair.resolve);
            if (parsed) chosen.resolve = parsed;
          }
          values[value] = chosen;
        }
        byAttribute = { attribute: t.targetsBy.attribute, values };
      }
      if (acknowledge && resolve) {
        types.push({
          code: t.code,
          name: t.name,
          division: t.division,
          description: t.description,
          attributes,
          afterHoursLine: t.afterHoursLine ?? false,
          nearbyMetres: t.nearbyMetres ?? defaultNearbyMetres,
          group: t.group ?? null,
          targets: byAttribute ? { acknowledge, resolve, byAttribute } : { acknowledge, resolve },
        });
      }
    });
  }

  if (staff && organization) {
    const departmentCodes = new Set(organization.value.departments.map((d) => d.code));
    const emails = new Set<string>();
    const customerService = organization.value.customerServiceDivision;
    staff.value.accounts.forEach((a, i) => {
      const at = (field: string): (string | number)[] => ['accounts', i, field];
      if (emails.has(a.email.toLowerCase())) staff.problem(at('email'), `${a.email} is listed twice`);
      emails.add(a.email.toLowerCase());
      if (divisionRoles.includes(a.role)) {
        if (!a.division) staff.problem(at('division'), `a ${a.role} works in a division; name it`);
        else if (!divisionCodes.has(a.division)) staff.problem(at('division'), `"${a.division}" is not a division in ${configFiles.organization}`);
        else if ((a.role === 'customer_service' || a.role === 'manager_customer_service') && a.division !== customerService) {
          staff.problem(at('division'), `a ${a.role} works in the Customer Service division (${customerService})`);
        }
        if (a.department) staff.problem(at('department'), `a ${a.role} belongs to a division, not a department`);
      } else if (a.role === 'department_head') {
        if (!a.department) staff.problem(at('department'), 'a department_head heads a department; name it');
        else if (!departmentCodes.has(a.department)) staff.problem(at('department'), `"${a.department}" is not a department in ${configFiles.organization}`);
        if (a.division) staff.problem(at('division'), 'a department_head belongs to a department, not a division');
      } else if (a.division || a.department) {
        staff.problem(at(a.division ? 'division' : 'department'), `a ${a.role} is corporate: give no division or department`);
      }
    });
    if (staff.value.accounts.length > 0 && !('demoPassword' in staff.value && staff.value.demoPassword)) {
      staff.problem(['demoPassword'], 'the accounts listed need a demoPassword (at least 12 characters)');
    }
  }

  const templatesFile = existsSync(join(dir, configFiles.responseTemplates)) ? load(configFiles.responseTemplates, ResponseTemplatesFile) : undefined;
  const articlesFile = existsSync(join(dir, configFiles.knowledgeBase)) ? load(configFiles.knowledgeBase, KnowledgeBaseFile) : undefined;
  if (organization && requestTypes) {
    const divisions = new Set(organization.value.departments.flatMap((d) => d.divisions.map((v) => v.code)));
    const typeDivision = new Map(requestTypes.value.requestTypes.map((t) => [t.code, t.division]));
    if (templatesFile) checkTemplatesConfig(templatesFile.value.templates, divisions, typeDivision, templatesFile.problem);
    if (articlesFile) checkArticlesConfig(articlesFile.value.articles, divisions, articlesFile.problem);
  }

  if (problems.length > 0) {
    const [first] = problems;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''} in the configuration)` : '';
    throw new AppError('CONFIG_INVALID', `Configuration not loaded: ${first!.message}${more}`, problems);
  }

  const m = municipality!.value;
  const o = organization!.value;
  return {
    name: m.name,
    standard: m.standard,
    website: m.website,
    calendar: calendar!,
    closureRules: closureRules!,
    contact: m.contact,
    generalInquiry: { acknowledge: inquiryTarget! },
    customerServiceDivision: o.customerServiceDivision,
    caoOffice: o.caoOffice,
    departments: o.departments,
    roles: o.roles,
    serviceCentres: centres!.value.serviceCentres,
    channels: channels!.value.channels,
    emergency: channels!.value.emergency,
    dstEffectiveFrom: requestTypes!.value.effectiveFrom,
    requestTypes: types,
    staff: { demoPassword: 'demoPassword' in staff!.value ? staff!.value.demoPassword : undefined, accounts: staff!.value.accounts },
    governance,
    feedback,
    reports,
    performance,
    responseTemplates: templatesFile?.value.templates ?? [],
    articles: articlesFile?.value.articles ?? [],
    map: mapFile ? mapSettingsOf(mapFile.value) : defaultMapSettings,
  };
}

function fieldName(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : /^[A-Za-z_][\w-]*$/.test(p) ? `.${p}` : `["${p}"]`)).join('');
}

function locate(doc: Document, lineCounter: LineCounter, path: (string | number)[]): string | undefined {
  for (let n = path.length; n >= 0; n -= 1) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return String(lineCounter.linePos(node.range[0]).line);
  }
  return undefined;
}

function describeSchemaError(message: string, value: unknown): string {
  const shownValue = value === undefined ? '' : ` (found ${JSON.stringify(value)?.slice(0, 60)})`;
  if (message === 'Expected required property') return 'is required but missing';
  if (message === 'Unexpected property') return 'is not a setting citydesk knows; check its spelling';
  if (message.startsWith('Expected string to match')) return `must be lower-case letters, digits, "-" or "_"${shownValue}`;
  if (message.startsWith('Expected union value')) return `is not one of the allowed values${shownValue}`;
  return `${message.replace(/^Expected/, 'expected')}${shownValue}`;
}

function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
