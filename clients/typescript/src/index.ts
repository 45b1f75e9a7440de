import createClient from "openapi-fetch";
import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths } from "./schema.js";

type Schemas = components["schemas"];
export type Skill = Schemas["Skill"];
export type Info = Schemas["Info"];
export type SearchResult = Schemas["SearchResult"];
export type SkillList = Schemas["SkillList"];
export type SkillVersions = Schemas["SkillVersions"];
export type SkillDownloadStats = Schemas["SkillDownloadStats"];
export type RegistryDownloadStats = Schemas["RegistryDownloadStats"];
export type DownloadRequest = Schemas["DownloadRequest"];
export type DownloadAccepted = Schemas["DownloadAccepted"];
/** An RFC 9457 problem document, as the gateway answers every error. */
export type Problem = Schemas["Problem"];
/** Where an answer came from: `hyperbeam`, `dryrun`, `cache` or `stale`. */
export type RegistrySource = components["headers"]["X-Registry-Source"];

type QueryOf<Operation extends keyof operations> = NonNullable<operations[Operation]["parameters"]["query"]>;
export type SearchSkillsQuery = QueryOf<"search-skills">;
export type ListSkillsQuery = QueryOf<"list-skills">;
export type GetSkillQuery = QueryOf<"get-skill">;
export type DownloadStatsQuery = QueryOf<"get-download-stats">;
export type RegistryDownloadStatsQuery = QueryOf<"get-registry-download-stats">;

/** An answer and what its headers say about it. */
export interface RegistryAnswer<T> {
  data: T;
  status: number;
  /** `X-Registry-Source`: `stale` is an answer served past its freshness because no upstream could answer. */
  source: RegistrySource | null;
  etag: string | null;
  /** `Age`, seconds, on a stale answer. */
  ageSeconds: number | null;
}

/** A problem answer (4xx, 5xx): its status, its RFC 9457 document and the headers that matter. */
export class RegistryProblem extends Error {
  readonly status: number;
  readonly problem: Problem;
  readonly source: RegistrySource | null;
  /** `Retry-After`, seconds: when a 503 or a 429 may be tried again. */
  readonly retryAfterSeconds: number | null;

  constructor(problem: Problem, response: Response) {
    super(`${problem.status} ${problem.title}: ${problem.detail}`);
    this.name = new.target.name;
    this.status = problem.status;
    this.problem = problem;
    this.source = sourceOf(response);
    this.retryAfterSeconds = secondsOf(response.headers.get("Retry-After"));
  }
}

/** 400: the request was refused before any upstream call; do not retry it unchanged. */
export class BadRequestError extends RegistryProblem {}
/** 404: no such skill, or no such version of it. */
export class NotFoundError extends RegistryProblem {}
/** 429: over this client's rate limit; see `retryAfterSeconds`. */
export class TooManyRequestsError extends RegistryProblem {}
/** 503: no upstream can answer and nothing usable is cached; see `retryAfterSeconds`. */
export class UnavailableError extends RegistryProblem {}

/** The gateway did not answer within the timeout. */
export class RegistryTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the registry gateway did not answer within ${timeoutMs} ms`);
    this.name = "RegistryTimeoutError";
  }
}

/** An answer that is not what the API says it answers (not JSON, not a problem document). */
export class RegistryProtocolError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = "RegistryProtocolError";
  }
}

export interface RegistryClientOptions {
  /** The gateway, e.g. `https://registry.example.org` or `http://localhost:8080`. */
  baseUrl: string;
  /** Per request, unless a call says otherwise. Default 10 s (a dryrun fallback takes seconds). */
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
}

export interface CallOptions {
  /** Aborts the request (React Query passes one to every query function). */
  signal?: AbortSignal;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export type RegistryClient = ReturnType<typeof createRegistryClient>;

/** One function per query of the gateway's API. Each resolves to the answer or throws a typed error. */
export function createRegistryClient(options: RegistryClientOptions) {
  const api = createClient<paths>({ baseUrl: options.baseUrl, fetch: options.fetch });
  const defaultTimeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  async function call<T>(
    call: CallOptions | undefined,
    send: (signal: AbortSignal) => Promise<{ data?: T; error?: unknown; response: Response }>,
  ): Promise<RegistryAnswer<T>> {
    const timeoutMs = call?.timeoutMs ?? defaultTimeout;
    const controller = new AbortController();
    const timedOut = new RegistryTimeoutError(timeoutMs);
    const timer = setTimeout(() => controller.abort(timedOut), timeoutMs);
    const forward = () => controller.abort(call?.signal?.reason);
    if (call?.signal?.aborted) {
      forward();
    }
    call?.signal?.addEventListener("abort", forward, { once: true });
    try {
      const { data, error, response } = await send(controller.signal);
      if (!response.ok) {
        throw problemOf(error, response);
      }
      return {
        data: data as T,
        status: response.status,
        source: sourceOf(response),
        etag: response.headers.get("ETag"),
        ageSeconds: secondsOf(response.headers.get("Age")),
      };
    } catch (failure) {
      if (controller.signal.aborted) {
        throw controller.signal.reason;
      }
      if (failure instanceof SyntaxError) {
        throw new RegistryProtocolError(`the answer is not JSON: ${failure.message}`, 0);
      }
      throw failure;
    } finally {
      clearTimeout(timer);
      call?.signal?.removeEventListener("abort", forward);
    }
  }

  return {
    /** GET /api/info: the registry process, its totals and the names of the queries. */
    info: (options?: CallOptions) => call(options, (signal) => api.GET("/api/info", { signal })),

    /** GET /api/skills/search: skills whose name, description or a tag contains `q`. */
    searchSkills: (query: SearchSkillsQuery = {}, options?: CallOptions) =>
      call(options, (signal) => api.GET("/api/skills/search", { params: { query }, signal })),

    /** GET /api/skills: skills filtered by author, name and tags, in name order. */
    listSkills: (query: ListSkillsQuery = {}, options?: CallOptions) =>
      call(options, (signal) => api.GET("/api/skills", { params: { query }, signal })),

    /** GET /api/skills/{name}: a skill's latest version, or the version asked for. */
    getSkill: (name: string, query: GetSkillQuery = {}, options?: CallOptions) =>
      call(options, (signal) => api.GET("/api/skills/{name}", { params: { path: { name }, query }, signal })),

    /** GET /api/skills/{name}/versions: every version, highest first. */
    getSkillVersions: (name: string, options?: CallOptions) =>
      call(options, (signal) => api.GET("/api/skills/{name}/versions", { params: { path: { name } }, signal })),

    /** GET /api/skills/{name}/downloads: downloads of a skill (or one version). */
    getDownloadStats: (name: string, query: DownloadStatsQuery = {}, options?: CallOptions) =>
      call(options, (signal) =>
        api.GET("/api/skills/{name}/downloads", { params: { path: { name }, query }, signal })),

    /** GET /api/stats/downloads: downloads of the whole registry. */
    getRegistryDownloadStats: (query: RegistryDownloadStatsQuery = {}, options?: CallOptions) =>
      call(options, (signal) => api.GET("/api/stats/downloads", { params: { query }, signal })),

    /** POST /api/skills/{name}/downloads: records a download; resolves once the gateway holds the event. */
    recordDownload: (name: string, body: DownloadRequest = {}, options?: CallOptions) =>
      call(options, (signal) =>
        api.POST("/api/skills/{name}/downloads", { params: { path: { name } }, body, signal })),
  };
}

const PROBLEMS: Record<number, new (problem: Problem, response: Response) => RegistryProblem> = {
  400: BadRequestError,
  404: NotFoundError,
  429: TooManyRequestsError,
  503: UnavailableError,
};

function problemOf(body: unknown, response: Response): Error {
  if (!isProblem(body)) {
    return new RegistryProtocolError(`${response.status} without a problem document`, response.status);
  }
  const Kind = PROBLEMS[response.status] ?? RegistryProblem;
  return new Kind(body, response);
}

function isProblem(body: unknown): body is Problem {
  const problem = body as Partial<Problem> | null;
  return typeof problem === "object" && problem !== null && typeof problem.status === "number"
    && typeof problem.title === "string" && typeof problem.detail === "string";
}

function sourceOf(response: Response): RegistrySource | null {
  return response.headers.get("X-Registry-Source") as RegistrySource | null;
}

function secondsOf(header: string | null): number | null {
  return header !== null && /^\d+$/.test(header) ? Number(header) : null;
}
