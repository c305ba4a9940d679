import { Type, type Static } from '@sinclair/typebox';

/**
 * config/reports.yaml (optional): when the reports of CSS §6.3 are due, the scorecard's targets
 * and who receives an issued report's link. Without the file, the defaults below apply and an
 * issued report goes to no one but the console.
 */

const MonthDay = Type.String({ pattern: '^(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$', description: 'MM-DD' });
const Percent = Type.Number({ minimum: 0, maximum: 100 });
const Emails = Type.Array(Type.String({ pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$', maxLength: 254 }), { maxItems: 100 });

export const ReportsFile = Type.Object(
  {
    due: Type.Optional(
      Type.Object(
        {
          firstHalf: Type.Optional(MonthDay),
          secondHalf: Type.Optional(MonthDay),
          annual: Type.Optional(MonthDay),
          feedbackDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })),
        },
        { additionalProperties: false },
      ),
    ),
    targets: Type.Optional(
      Type.Object(
        {
          acknowledgment: Type.Optional(Percent),
          inquiryAcknowledgment: Type.Optional(Percent),
          resolution: Type.Optional(Percent),
          satisfaction: Type.Optional(Percent),
          withinPoints: Type.Optional(Type.Number({ minimum: 0, maximum: 50 })),
        },
        { additionalProperties: false },
      ),
    ),
    recipients: Type.Optional(
      Type.Object(
        { seniorManagementTeam: Type.Optional(Emails), workingGroup: Type.Optional(Emails), council: Type.Optional(Emails) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export interface ReportConfig {
  due: { firstHalf: string; secondHalf: string; annual: string; feedbackDays: number };
  /** Percent. */
  targets: { acknowledgment: number; inquiryAcknowledgment: number; resolution: number; satisfaction: number; withinPoints: number };
  recipients: { seniorManagementTeam: string[]; workingGroup: string[]; council: string[] };
}

export const defaultReportConfig: ReportConfig = {
  due: { firstHalf: '08-31', secondHalf: '02-28', annual: '03-31', feedbackDays: 30 },
  targets: { acknowledgment: 95, inquiryAcknowledgment: 95, resolution: 90, satisfaction: 80, withinPoints: 3 },
  recipients: { seniorManagementTeam: [], workingGroup: [], council: [] },
};

/** Checks reports.yaml beyond its shape; problems go to `problem`. */
export function readReports(value: Static<typeof ReportsFile>, problem: (path: (string | number)[], message: string) => void): ReportConfig {
  const due = { ...defaultReportConfig.due, ...(value.due ?? {}) };
  for (const key of ['firstHalf', 'secondHalf', 'annual'] as const) {
    if (Number.isNaN(Date.parse(`2024-${due[key]}T00:00:00Z`)) || !new Date(`2024-${due[key]}T00:00:00Z`).toISOString().startsWith(`2024-${due[key]}`)) {
      problem(['due', key], `"${due[key]}" is not a day of the year; write MM-DD, e.g. "03-31"`);
    }
  }
  if (due.firstHalf < '07-01') problem(['due', 'firstHalf'], `the January-to-June report cannot be due (${due.firstHalf}) before the half-year ends: give a date from 07-01`);
  return {
    due,
    targets: { ...defaultReportConfig.targets, ...(value.targets ?? {}) },
    recipients: { ...defaultReportConfig.recipients, ...(value.recipients ?? {}) },
  };
}
