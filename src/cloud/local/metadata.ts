import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { World } from "./world.js";
import { isoTime } from "./xml.js";

const TOKEN_HEADER = "x-aws-ec2-metadata-token";
const TTL_HEADER = "x-aws-ec2-metadata-token-ttl-seconds";
/** Alternative to the path prefix, for clients that cannot change their metadata base URL path. */
export const INSTANCE_HEADER = "x-hotspot-instance-id";

/**
 * Instance metadata (IMDS) for every instance on one server. The instance is chosen by the path
 * prefix `/<instance-id>/latest/...` or, without it, by the `X-Hotspot-Instance-Id` header.
 * IMDSv2 tokens (PUT /latest/api/token) are issued per instance; a request carrying a token must
 * carry a valid, unexpired one of that instance (401 otherwise); one without a token is served as
 * IMDSv1 would be.
 */
export class MetadataService {
  private readonly tokens = new Map<string, { instanceId: string; expiresMs: number }>();

  constructor(private readonly world: World) {}

  handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://metadata");
    let path = url.pathname;
    let instanceId = req.headers[INSTANCE_HEADER];
    const prefixed = /^\/(i-[0-9a-f]+)(\/.*)$/.exec(path);
    if (prefixed !== null) {
      instanceId = prefixed[1];
      path = prefixed[2];
    }
    const instance = typeof instanceId === "string" ? this.world.instances.get(instanceId) : undefined;
    if (instance === undefined || instance.state === "terminated") return send(res, 404, "Not Found");
    if (req.method === "PUT" && path === "/latest/api/token") {
      const ttl = Number(req.headers[TTL_HEADER]);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21600) return send(res, 400, "Bad Request");
      const token = randomBytes(24).toString("base64url");
      this.tokens.set(token, { instanceId: instance.id, expiresMs: this.world.now + ttl * 1000 });
      res.setHeader(TTL_HEADER, String(ttl));
      return send(res, 200, token);
    }
    if (req.method !== "GET") return send(res, 405, "Method Not Allowed");
    const token = req.headers[TOKEN_HEADER];
    if (token !== undefined) {
      const known = typeof token === "string" ? this.tokens.get(token) : undefined;
      if (known === undefined || known.instanceId !== instance.id || known.expiresMs <= this.world.now) {
        return send(res, 401, "Unauthorized");
      }
    }
    const eni = this.world.interfaces.get(instance.primaryEniId);
    const values: Record<string, string | undefined> = {
      "/latest/meta-data/instance-id": instance.id,
      "/latest/meta-data/instance-type": instance.instanceType,
      "/latest/meta-data/ami-id": instance.imageId,
      "/latest/meta-data/local-ipv4": instance.privateIp,
      "/latest/meta-data/mac": eni?.mac,
      "/latest/meta-data/instance-life-cycle": instance.lifecycle,
      "/latest/meta-data/placement/availability-zone": instance.zone,
      "/latest/meta-data/placement/region": this.world.config.region,
      "/latest/meta-data/spot/instance-action":
        instance.interruption === null
          ? undefined
          : JSON.stringify({
              action: instance.interruption.action,
              time: awsTime(instance.interruption.timeMs),
            }),
      "/latest/meta-data/spot/termination-time":
        instance.interruption === null ? undefined : awsTime(instance.interruption.timeMs),
      "/latest/meta-data/events/recommendations/rebalance":
        instance.rebalanceNoticeMs === null
          ? undefined
          : JSON.stringify({ noticeTime: awsTime(instance.rebalanceNoticeMs) }),
      "/latest/meta-data/iam/info":
        instance.instanceProfileArn === null
          ? undefined
          : JSON.stringify({
              Code: "Success",
              LastUpdated: awsTime(instance.launchTimeMs),
              InstanceProfileArn: instance.instanceProfileArn,
              InstanceProfileId: `AIPA${instance.id.slice(2).toUpperCase()}`,
            }),
      "/latest/user-data":
        instance.userData === null ? undefined : Buffer.from(instance.userData, "base64").toString("utf8"),
    };
    if (path === "/latest/meta-data/" || path === "/latest/meta-data") {
      const listing = Object.keys(values)
        .filter((k) => k.startsWith("/latest/meta-data/") && values[k] !== undefined)
        .map((k) => k.slice("/latest/meta-data/".length));
      return send(res, 200, listing.join("\n"));
    }
    const value = values[path];
    if (value === undefined) return send(res, 404, "Not Found");
    send(res, 200, value);
  }
}

/** AWS writes notice times without milliseconds: `2026-01-01T00:02:00Z`. */
function awsTime(ms: number): string {
  return isoTime(ms).replace(/\.\d{3}Z$/, "Z");
}

function send(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader("content-type", "text/plain");
  res.end(body);
}
