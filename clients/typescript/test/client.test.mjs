// The client against a real gateway: the embedded default, started by this test (test/embedded-gateway.mjs).
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, test } from "node:test";
import {
  BadRequestError, NotFoundError, RegistryProblem, RegistryTimeoutError, UnavailableError, createRegistryClient,
} from "../dist/index.js";
import { typesFor } from "../scripts/openapi-types.mjs";
import { startEmbeddedGateway } from "./embedded-gateway.mjs";

let gateway;
let registry;

before(async () => {
  gateway = await startEmbeddedGateway();
  registry = createRegistryClient({ baseUrl: gateway.baseUrl });
});

after(async () => {
  await gateway?.stop();
});

test("the committed types are the ones generated from the running gateway's /api/openapi.json", async () => {
  const document = await (await fetch(`${gateway.baseUrl}/api/openapi.json`)).json();
  const committed = await readFile(new URL("../src/schema.ts", import.meta.url), "utf8");
  assert.equal(committed, await typesFor(document),
    "src/schema.ts differs from the gateway's document: run `npm run generate` against it");
});

// First, while nothing is cached that could be served stale instead.
test("every query answers UnavailableError with Retry-After when no upstream can answer", async () => {
  await gateway.fault("hyperbeam", { mode: "status", status: 500 });
  await gateway.fault("cu", { mode: "status", status: 500 });
  try {
    const calls = {
      info: () => registry.info(),
      searchSkills: () => registry.searchSkills({ q: "ao" }),
      listSkills: () => registry.listSkills({ limit: 3 }),
      getSkill: () => registry.getSkill("cron"),
      getSkillVersions: () => registry.getSkillVersions("cron"),
      getDownloadStats: () => registry.getDownloadStats("cron"),
      getRegistryDownloadStats: () => registry.getRegistryDownloadStats(),
    };
    for (const [name, call] of Object.entries(calls)) {
      const failure = await call().then(() => assert.fail(`${name} answered`), (error) => error);
      assert.ok(failure instanceof UnavailableError, `${name}: ${failure}`);
      assert.ok(failure instanceof RegistryProblem);
      assert.equal(failure.status, 503);
      assert.equal(failure.problem.status, 503);
      assert.ok(failure.retryAfterSeconds > 0, `${name}: Retry-After ${failure.retryAfterSeconds}`);
    }
  } finally {
    await gateway.clearFaults();
  }
  // HyperBEAM's breaker opened: wait until reads are served by it again
  const deadline = Date.now() + 60_000;
  for (;;) {
    const answer = await registry.getSkill("dao").catch(() => null);
    if (answer?.source === "hyperbeam") break;
    assert.ok(Date.now() < deadline, "HyperBEAM did not answer again within 60 s");
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
});

test("info: the registry's totals, from HyperBEAM and then from the cache", async () => {
  const first = await registry.info();
  assert.equal(first.status, 200);
  assert.equal(first.data.totalSkills, 40);
  assert.deepEqual(first.data.queries, ["info", "search-skills", "list-skills", "get-skill", "get-skill-versions",
    "get-download-stats", "get-registry-download-stats"]);
  assert.ok(["hyperbeam", "dryrun"].includes(first.source), first.source);
  assert.match(first.etag, /^".+"$/);
  const again = await registry.info();
  assert.equal(again.source, "cache");
  assert.deepEqual(again.data, first.data);
});

test("searchSkills: skills whose name, description or a tag contains q", async () => {
  const { data } = await registry.searchSkills({ q: "AO", limit: 5 });
  assert.equal(data.query, "AO");
  assert.equal(data.limit, 5);
  assert.ok(data.results.length > 0 && data.results.length <= 5);
  for (const skill of data.results) {
    const text = [skill.name, skill.description, ...skill.tags].join(" ").toLowerCase();
    assert.ok(text.includes("ao"), skill.name);
  }
});

test("listSkills: a page of skills in name order", async () => {
  const { data } = await registry.listSkills({ limit: 3, offset: 1 });
  assert.equal(data.pagination.total, 40);
  assert.equal(data.pagination.returned, 3);
  assert.equal(data.pagination.hasPrevPage, true);
  const names = data.skills.map((skill) => skill.name);
  assert.deepEqual(names, [...names].sort());
});

test("getSkill: the latest version, or the one asked for", async () => {
  const latest = await registry.getSkill("cron");
  assert.equal(latest.data.name, "cron");
  assert.equal(latest.data.version, "1.2.1");
  const older = await registry.getSkill("cron", { version: "1.1.4" });
  assert.equal(older.data.version, "1.1.4");
});

test("getSkillVersions: every version, highest first", async () => {
  const { data } = await registry.getSkillVersions("cron");
  assert.equal(data.latest, "1.2.1");
  assert.equal(data.total, data.versions.length);
  assert.equal(data.versions[0].version, "1.2.1");
});

test("getDownloadStats: the windows asked for", async () => {
  const { data } = await registry.getDownloadStats("cron", { timeRange: "7" });
  assert.equal(data.skillName, "cron");
  assert.equal(data.version, null);
  assert.equal(typeof data.downloads7Days, "number");
  assert.equal(data.downloads30Days, undefined);
});

test("getRegistryDownloadStats: the whole registry's downloads", async () => {
  const { data } = await registry.getRegistryDownloadStats({ timeRange: "all" });
  assert.equal(data.totalSkills, 40);
  assert.ok(data.downloadsTotal >= data.downloads30Days && data.downloads30Days >= data.downloads7Days);
});

test("recordDownload: accepted once the gateway holds the event", async () => {
  const accepted = await registry.recordDownload("cron", { version: "1.2.1" });
  assert.equal(accepted.status, 202);
  assert.match(accepted.data.eventId, /^[0-9a-f-]{36}$/);
});

test("a skill or version that does not exist is a NotFoundError", async () => {
  for (const call of [
    () => registry.getSkill("no-such-skill"),
    () => registry.getSkill("cron", { version: "9.9.9" }),
    () => registry.getSkillVersions("no-such-skill"),
    () => registry.getDownloadStats("no-such-skill"),
  ]) {
    const failure = await call().then(() => assert.fail("answered"), (error) => error);
    assert.ok(failure instanceof NotFoundError, String(failure));
    assert.equal(failure.status, 404);
    assert.equal(failure.problem.title, "Not Found");
    assert.ok(failure.source, "a 404 says where it came from");
  }
});

test("bad input is a BadRequestError for every query that takes any", async () => {
  for (const call of [
    () => registry.searchSkills({ limit: 0 }),
    () => registry.listSkills({ tags: "a,b,c,d,e,f,g,h,i,j,k" }),
    () => registry.getSkill("cron", { version: "1.2" }),
    () => registry.getSkillVersions("n".repeat(129)),
    () => registry.getDownloadStats("cron", { timeRange: "14" }),
    () => registry.getRegistryDownloadStats({ timeRange: "ALL" }),
    () => registry.recordDownload("cron", { version: "one" }),
  ]) {
    const failure = await call().then(() => assert.fail("answered"), (error) => error);
    assert.ok(failure instanceof BadRequestError, String(failure));
    assert.equal(failure.status, 400);
    assert.equal(failure.retryAfterSeconds, null);
  }
});

test("a read slower than the timeout is a RegistryTimeoutError; a caller's AbortSignal aborts it", async () => {
  await gateway.fault("hyperbeam", { mode: "slow", latencyMillis: 3000 });
  try {
    const slow = await registry.getSkillVersions("dao", { timeoutMs: 200 }).then(() => assert.fail("answered"), (e) => e);
    assert.ok(slow instanceof RegistryTimeoutError, String(slow));
    assert.equal(slow.timeoutMs, 200);

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const aborted = await registry.getDownloadStats("dao", {}, { signal: controller.signal })
      .then(() => assert.fail("answered"), (e) => e);
    assert.equal(aborted.name, "AbortError");

    const already = await registry.info({ signal: AbortSignal.abort() }).then(() => assert.fail("answered"), (e) => e);
    assert.equal(already.name, "AbortError");
  } finally {
    await gateway.clearFaults();
  }
});
