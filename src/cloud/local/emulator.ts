import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Trace } from "../../traces/types.js";
import { ACTIONS, type ActionName } from "./actions.js";
import { RealScheduler, type Scheduler } from "./clock.js";
import { installCompute } from "./compute.js";
import { Ec2Error } from "./errors.js";
import { Guests } from "./guest.js";
import { addPublicImages } from "./images.js";
import type { Fault, FaultSet } from "./faults.js";
import type { HostBackend } from "./host-backend.js";
import { BUILT_IN_INSTANCE_TYPES, type EmulatedInstanceType } from "./instance-types.js";
import { LatencyModel, type LatencyOptions } from "./latency.js";
import { MemoryHostBackend } from "./memory-backend.js";
import { MetadataService } from "./metadata.js";
import { Params } from "./params.js";
import { DEFAULT_PUBLIC_IMAGES, type PublicImage } from "./public-images.js";
import { recordsFromTrace, SpotPriceBook, type SpotPriceRecord } from "./spot-prices.js";
import { createDefaultVpc } from "./vpc.js";
import { World } from "./world.js";
import { errorDocument, responseDocument } from "./xml.js";

export interface EmulatorOptions {
  /** Address to listen on; default 127.0.0.1 (loopback only). */
  readonly host?: string;
  /** EC2 API port; 0 (default) picks a free one. */
  readonly port?: number;
  /** Instance metadata port; 0 (default) picks a free one. */
  readonly metadataPort?: number;
  readonly region?: string;
  /** Zone names; default `<region>a` .. `<region>f`. */
  readonly zones?: readonly string[];
  /** Time source; default the wall clock. Tests pass a ManualScheduler. */
  readonly scheduler?: Scheduler;
  readonly latency?: LatencyOptions;
  /** The data plane; default a MemoryHostBackend (no-op, records calls). */
  readonly backend?: HostBackend;
  /** Spot price history to serve, as records ... */
  readonly spotPrices?: Iterable<SpotPriceRecord>;
  /** ... or as a loaded trace. */
  readonly trace?: Trace;
  /**
   * Replay: the trace time (ms since epoch) that corresponds to the emulator's start. Every record is
   * shifted by (start − replayFromMs), so prices appear as the emulator's clock reaches them.
   */
  readonly replayFromMs?: number;
  readonly instanceTypes?: readonly EmulatedInstanceType[];
  /** Interrupt spot instances whose price rises above their MaxPrice (default true). */
  readonly priceInterruptions?: boolean;
  /** Faults in force from the start (e.g. from a fault script). */
  readonly faults?: readonly Fault[];
  /** The region's public images; default Debian 12 (amd64, arm64) and one Ubuntu image. */
  readonly publicImages?: readonly PublicImage[];
}

export interface Emulator {
  /** Base URL for the SDK's `endpoint`. */
  readonly endpoint: string;
  /** Base URL of the metadata server (`<base>/<instance-id>/latest/...`). */
  readonly metadataBase: string;
  /** The metadata base URL of one instance: `<metadataBase>/<instance-id>`. */
  metadataEndpoint(instanceId: string): string;
  readonly faults: FaultSet;
  /** What instances' guests do: scripts run at boot, console output, power-off. */
  readonly guests: Guests;
  /** The emulated account, for assertions and inspection (read it; change it through the API). */
  readonly state: World;
  readonly backend: HostBackend;
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const region = options.region ?? "us-east-1";
  const scheduler = options.scheduler ?? new RealScheduler();
  const records = options.trace !== undefined ? recordsFromTrace(options.trace) : (options.spotPrices ?? []);
  const shift = options.replayFromMs === undefined ? 0 : scheduler.now() - options.replayFromMs;
  const backend = options.backend ?? new MemoryHostBackend();
  const world = new World({
    region,
    zones: options.zones ?? ["a", "b", "c", "d", "e", "f"].map((z) => `${region}${z}`),
    scheduler,
    latency: new LatencyModel(options.latency),
    backend,
    prices: new SpotPriceBook(records, shift),
    instanceTypes: options.instanceTypes ?? BUILT_IN_INSTANCE_TYPES,
    priceInterruptions: options.priceInterruptions ?? true,
  });
  installCompute(world);
  const guests = new Guests(world);
  createDefaultVpc(world);
  addPublicImages(world, options.publicImages ?? DEFAULT_PUBLIC_IMAGES);
  for (const fault of options.faults ?? []) world.faults.add(fault);

  const metadata = new MetadataService(world);
  const host = options.host ?? "127.0.0.1";
  const api = await listen(
    createServer((req, res) => void serveApi(world, req, res)),
    host,
    options.port ?? 0,
  );
  const imds = await listen(
    createServer((req, res) => metadata.handle(req, res)),
    host,
    options.metadataPort ?? 0,
  );
  const urlHost = host.includes(":") ? `[${host}]` : host;
  const metadataBase = `http://${urlHost}:${(imds.address() as AddressInfo).port}`;
  return {
    endpoint: `http://${urlHost}:${(api.address() as AddressInfo).port}`,
    metadataBase,
    metadataEndpoint: (instanceId) => `${metadataBase}/${instanceId}`,
    faults: world.faults,
    guests,
    state: world,
    backend,
    close: async () => {
      await Promise.all([stop(api), stop(imds)]);
      await world.idle();
      world.markClosed();
      await backend.close();
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function serveApi(world: World, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  const query = new URL(req.url ?? "/", "http://emulator").search.slice(1);
  const body = req.method === "POST" ? await readBody(req) : query;
  const params = Params.fromForm(body);
  const action = params.string("Action") ?? "";
  world.requestCounts.set(action, (world.requestCounts.get(action) ?? 0) + 1);
  const entry = { action, timeMs: world.now, error: null as string | null };
  world.requestLog.push(entry);
  let status = 200;
  let text: string;
  try {
    const xml = dispatch(world, req, action, params);
    text = responseDocument(action, requestId, xml);
  } catch (error) {
    const e =
      error instanceof Ec2Error
        ? error
        : new Ec2Error("InternalError", `An internal error has occurred: ${(error as Error).message}`, 500);
    entry.error = e.code;
    status = e.status;
    text = errorDocument(e.code, e.message, requestId);
  }
  res.statusCode = status;
  res.setHeader("content-type", "text/xml;charset=UTF-8");
  res.setHeader("x-amzn-requestid", requestId);
  res.end(text);
}

function dispatch(world: World, req: IncomingMessage, action: string, params: Params) {
  if (action === "") throw new Ec2Error("MissingAction", "The request must contain the parameter Action");
  if (!Object.hasOwn(ACTIONS, action)) {
    throw new Ec2Error("InvalidAction", `The action ${action} is not valid for this web service.`);
  }
  const auth = req.headers.authorization;
  if (auth === undefined || !auth.startsWith("AWS4-HMAC-SHA256 Credential=")) {
    throw new Ec2Error("AuthFailure", "AWS was not able to validate the provided access credentials", 401);
  }
  if (world.faults.denied(action)) {
    throw new Ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation.", 403);
  }
  if (world.faults.throttled(action))
    throw new Ec2Error("RequestLimitExceeded", "Request limit exceeded.", 503);
  if (world.faults.incorrectStateFor(action)) {
    throw new Ec2Error(
      "IncorrectState",
      `The resource is in an incorrect state for ${action} (injected fault).`,
    );
  }
  if (params.boolean("DryRun") === true) {
    throw new Ec2Error("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412);
  }
  return ACTIONS[action as ActionName](world, params);
}
