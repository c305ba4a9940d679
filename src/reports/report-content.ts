import type { ChartData } from '../web/charts.js';
import type { PerformanceIndicators, SatisfactionFigure, ShareFigure } from '../standard/performance-indicators.js';
import type { ReportKind, ReportPeriod, Verdict } from '../standard/report-periods.js';
import type { ReportConfig } from './report-config.js';

/**
 * What a stored report holds (CSS §6.3): every figure, table, chart (its data and its SVG) and
 * sentence as generated. The page, the PDF, the CSV and the command line all present this, and
 * nothing else, so a report reads the same whenever it is opened.
 */

export interface ScorecardRow {
  /** Stable within the report: the Manager's comment is kept against it. */
  key: string;
  division: string | null;
  /** What is measured: a request type, "All service requests", "General inquiries". */
  subject: string;
  /** The Division Service Target in words, or the standard's aim. */
  dst: string;
  indicator: string;
  targetPercent: number;
  result: ShareFigure;
  verdict: Verdict;
}

/** A Division Service Target with no cases in the period: named under the scorecard, not a row of it. */
export interface ScorecardGap {
  division: string;
  /** The request type. */
  subject: string;
}

export interface DivisionPage {
  code: string;
  name: string;
  indicators: PerformanceIndicators;
  /** The request types with the lowest resolution compliance (those that missed any). */
  worstTypes: { name: string; resolution: ShareFigure; missed: number }[];
}

export interface ReportContent {
  kind: ReportKind;
  title: string;
  audience: string;
  city: string;
  period: ReportPeriod;
  previous: ReportPeriod;
  /** ISO instant; also the as-of time of every figure. */
  generatedAt: string;
  /** "Tuesday 1 December 2026, 12:00 pm". */
  generatedAtWords: string;
  generatedBy: string;
  version: number;
  formulaVersion: string;
  minimumGroupSize: number;
  targets: ReportConfig['targets'];
  summary: { current: PerformanceIndicators; previous: PerformanceIndicators; points: string[] };
  scorecard: ScorecardRow[];
  /**
   * The bi-annual report's request types with no cases in the period (absent from reports kept
   * before it was added, when every type had a row).
   */
  scorecardWithoutCases?: ScorecardGap[];
  /** One page per division (the bi-annual report). */
  divisions: DivisionPage[];
  escalations: {
    byLevel: Record<'1' | '2' | '3', number>;
    byReason: { not_acknowledged: number; not_resolved: number; on_request: number };
    share: ShareFigure;
    previousShare: ShareFigure;
    byDivision: { name: string; count: number }[];
    recurringTypes: { name: string; count: number }[];
    recurringPlaces: { requestType: string; place: string; count: number }[];
  } | null;
  feedback: {
    satisfaction: SatisfactionFigure;
    previousSatisfaction: SatisfactionFigure;
    resolved: { yes: number; partly: number; no: number; answers: number };
    items: number;
    previousItems: number;
    bySource: { name: string; count: number }[];
    themes: { name: string; current: number; previous: number; change: number }[];
    quotes: { text: string; division: string | null; received: string }[];
  } | null;
  /** The annual report: each year citydesk holds. */
  years: { year: string; indicators: PerformanceIndicators }[];
  charts: { chart: ChartData; svg: string }[];
  annex: { definitions: { term: string; words: string }[]; changes: string[] };
}

/** A stored report as read back, with the comments and issues kept beside it. */
export interface StoredReport {
  id: number;
  kind: ReportKind;
  period: string;
  version: number;
  generatedAt: Date;
  generatedBy: string;
  formulaVersion: string;
  content: ReportContent;
  comments: Record<string, { comment: string; writtenAt: Date; writtenBy: string }>;
  issues: { audience: string; audienceWords: string; issuedAt: Date; issuedBy: string; recipients: string[] }[];
}
