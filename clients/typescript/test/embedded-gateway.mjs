// The embedded default (README's first command: the registry simulator, an in-process Kafka broker and
// the gateway), started on free ports for the tests, with the simulator's admin endpoint to fault its
// upstreams (src/dev/java/.../simulator/AdminEndpoint.java).
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import path from "node:path";

const REPOSITORY = fileURLToPath(new URL("../../..", import.meta.url));
const START_TIMEOUT_MS = 240_000;

export async function startEmbeddedGateway() {
  const [server, management, hyperbeam, computeUnit, kafka] = await freePorts(5);
  const properties = {
    "camel.server.host": "127.0.0.1",
    "camel.server.port": server,
    "camel.management.host": "127.0.0.1",
    "camel.management.port": management,
    "dev.hyperbeam.port": hyperbeam,
    "dev.cu.port": computeUnit,
    "dev.kafka.port": kafka,
  };
  // README's first command: Maven on the gateway's JDK (ops/with-jdk25)
  const launcher = spawn(path.join(REPOSITORY, "ops", "with-jdk25"), ["mvn", "-q", "-B", "test-compile", "exec:java",
    ...Object.entries(properties).map(([key, value]) => `-D${key}=${value}`)], {
    cwd: REPOSITORY,
    detached: true, // its own process group: stop() ends Maven and the JVM it runs
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  launcher.stdout.on("data", (chunk) => { output = (output + chunk).slice(-20_000); });
  launcher.stderr.on("data", (chunk) => { output = (output + chunk).slice(-20_000); });
  const exited = new Promise((resolve) => launcher.once("exit", resolve));

  const gateway = {
    baseUrl: `http://127.0.0.1:${server}`,
    adminUrl: `http://127.0.0.1:${hyperbeam}/__admin`,
    /** Faults an upstream (`hyperbeam` or `cu`) with the simulator's fault format (FaultJson). */
    async fault(upstream, fault) {
      const answer = await fetch(`${gateway.adminUrl}/faults?upstream=${upstream}`, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(fault),
      });
      if (!answer.ok) throw new Error(`fault ${upstream}: ${answer.status} ${await answer.text()}`);
    },
    async clearFaults() {
      for (const upstream of ["hyperbeam", "cu"]) {
        await fetch(`${gateway.adminUrl}/faults?upstream=${upstream}`, { method: "DELETE" });
      }
    },
    async stop() {
      try {
        process.kill(-launcher.pid, "SIGTERM");
      } catch {
        return; // already gone
      }
      await Promise.race([exited, delay(30_000)]);
    },
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (launcher.exitCode !== null) {
      throw new Error(`the embedded gateway exited (${launcher.exitCode}):\n${output}`);
    }
    try {
      if ((await fetch(`${gateway.baseUrl}/api/openapi.json`)).ok) return gateway;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await gateway.stop();
      throw new Error(`the embedded gateway did not answer within ${START_TIMEOUT_MS} ms:\n${output}`);
    }
    await delay(500);
  }
}

async function freePorts(count) {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  })));
  const ports = servers.map((server) => server.address().port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
