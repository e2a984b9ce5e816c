import type { Argv, CommandModule } from "yargs";
import { wallClock } from "../../util/clock.js";
import { UsageError } from "../../errors.js";
import { architectureOfTypes } from "../../image/architecture.js";
import {
  buildImage,
  deleteImage,
  listImages,
  readLiveConfig,
  recordImage,
  type Architecture,
  type ImageBuild,
  type LiveConfig,
} from "../../api.js";
import { INSTANCE_TYPE_RE } from "../../setup/validate.js";
import { checkOutputPath } from "../../util/output-path.js";
import { localCloudFromEnv } from "../local-env.js";
import { parseChoice, parseDuration, parseInteger, parseList } from "../../options/parse.js";

const clouds = {
  aws: "EC2: a builder instance provisions itself",
  local: "the local cloud: the host's own filesystem",
};
const actions = {
  build: "build (or reuse) the image every instance boots and record it in hotspot.json",
  list: "list the setup's images",
  delete: "deregister an image of the setup and delete its snapshots",
};

export interface ImageArgs {
  action?: string;
  image?: string;
  config: string;
  cloud?: string;
  endpoint?: string;
  types?: string[];
  "base-image"?: string;
  "builder-type"?: string;
  package?: string;
  "node-major": string;
  timeout: string;
  poll: string;
  "console-lines": string;
  criu: string;
  json: boolean;
}

function builder(yargs: Argv) {
  return yargs
    .positional("action", {
      type: "string",
      describe: Object.entries(actions)
        .map(([k, v]) => `${k}: ${v}`)
        .join("; "),
    })
    .positional("image", { type: "string", describe: "delete: the image id (default the config's imageId)" })
    .option("config", {
      type: "string",
      default: "hotspot.json",
      describe: "hotspot.json written by hotspot setup",
    })
    .option("cloud", {
      type: "string",
      describe: `aws (${clouds.aws}) or local (${clouds.local}); default local under \`eval "$(hotspot local env)"\`, else aws`,
    })
    .option("endpoint", {
      type: "string",
      describe:
        "EC2 endpoint URL (default AWS_ENDPOINT_URL_EC2, as the SDK reads it; required for --cloud local)",
    })
    .option("types", {
      type: "string",
      array: true,
      describe: "Types the image runs on (default the config's); one architecture",
    })
    .option("base-image", {
      type: "string",
      describe: "build: the Debian 12 image to start from (default the newest official one)",
    })
    .option("builder-type", {
      type: "string",
      describe: "build: the builder's instance type (default the first of --types)",
    })
    .option("package", {
      type: "string",
      describe:
        "build on EC2: where the builder fetches hotspot, as `npm pack` takes it (an https URL of npm pack output, a git URL)",
    })
    .option("node-major", {
      type: "string",
      default: "26",
      describe: "build: the Node major version installed from the npm registry",
    })
    .option("timeout", {
      type: "string",
      default: "45m",
      describe: "build: how long the builder may take to provision and power off",
    })
    .option("poll", { type: "string", default: "15s", describe: "build: pause between state checks" })
    .option("console-lines", {
      type: "string",
      default: "40",
      describe: "build: console lines shown when provisioning fails",
    })
    .option("criu", {
      type: "string",
      default: "/opt/hotspot/bin/criu",
      describe: "build on the local cloud: the criu the readiness check runs",
    })
    .option("json", { type: "boolean", default: false, describe: "list/build: machine-readable output" })
    .example(
      "$0 image build --package https://example.org/hotspot-0.1.0.tgz",
      "Build on EC2 in the setup's subnet",
    )
    .example(
      "$0 image build --cloud local",
      "Register the local cloud's host as the image (after its readiness check)",
    )
    .example("$0 image list --json", "The setup's images")
    .example("$0 image delete ami-0123456789abcdef0", "Deregister it and delete its snapshots");
}

const quoted = (value: unknown) => (value === undefined ? "nothing" : JSON.stringify(String(value)));

function endpointOf(args: ImageArgs, cloud: keyof typeof clouds): string | undefined {
  const fromEnv = process.env.AWS_ENDPOINT_URL_EC2 ?? process.env.AWS_ENDPOINT_URL;
  const raw = args.endpoint ?? fromEnv;
  const flag = args.endpoint !== undefined ? "--endpoint" : "AWS_ENDPOINT_URL_EC2";
  if (raw === undefined || raw === "") {
    if (cloud === "local")
      throw new UsageError(
        "--endpoint",
        "the local cloud's EC2 URL (or AWS_ENDPOINT_URL_EC2) with --cloud local",
        "none",
      );
    return undefined;
  }
  if (!/^https?:\/\/[^\s/]+(?:\/\S*)?$/.test(raw))
    throw new UsageError(flag, "an http(s) URL such as http://127.0.0.1:4566", quoted(raw));
  return raw;
}

function typesOf(args: ImageArgs, config: LiveConfig): { types: string[]; flag: string } {
  const given = parseList("--types", args.types);
  const types = given ?? [...config.instanceTypes];
  for (const t of types)
    if (!INSTANCE_TYPE_RE.test(t))
      throw new UsageError("--types", "instance types such as m5.large", quoted(t));
  return { types, flag: given === undefined ? `${args.config}: instanceTypes` : "--types" };
}

function hostArchitecture(): Architecture {
  if (process.arch === "x64") return "x86_64";
  if (process.arch === "arm64") return "arm64";
  throw new UsageError("--cloud local", "a host of x86_64 or arm64", process.arch);
}

const out = (text: string) => void process.stdout.write(text);

async function runBuild(
  args: ImageArgs,
  config: LiveConfig,
  cloud: keyof typeof clouds,
  endpoint: string | undefined,
) {
  const { types, flag } = typesOf(args, config);
  const architecture = architectureOfTypes(types, flag);
  const typesText = types.join(", ");
  let build: ImageBuild;
  if (cloud === "local") {
    const host = hostArchitecture();
    if (host !== architecture)
      throw new UsageError(
        flag,
        `types of this host's architecture ${host}`,
        `${typesText} (${architecture})`,
      );
    build = { cloud, criu: args.criu };
  } else {
    if (args.package === undefined) {
      throw new UsageError(
        "--package",
        "where the builder fetches hotspot (an https URL of `npm pack` output, or a git URL) with --cloud aws",
        "nothing",
      );
    }
    const builderType = args["builder-type"] ?? types[0];
    if (!INSTANCE_TYPE_RE.test(builderType))
      throw new UsageError("--builder-type", "an instance type such as m5.large", quoted(builderType));
    architectureOfTypes([...types, builderType], "--builder-type");
    build = {
      cloud,
      packageSpec: args.package,
      nodeMajor: parseInteger("--node-major", args["node-major"], 20, 99),
      builderType,
      baseImage: args["base-image"],
      timeoutSeconds: parseDuration("--timeout", args.timeout) ?? 2700,
      pollSeconds: parseDuration("--poll", args.poll) ?? 15,
      consoleLines: parseInteger("--console-lines", args["console-lines"], 1, 10_000),
      clock: { now: () => wallClock.now(), sleep: (ms) => wallClock.sleep(ms) },
    };
  }
  const result = await buildImage({
    config,
    endpoint,
    configPath: args.config,
    architecture,
    typesText,
    build,
    out: args.json ? () => undefined : out,
  });
  if (args.json)
    out(`${JSON.stringify({ imageId: result.imageId, reused: result.reused, config: args.config })}\n`);
  else
    out(
      `image ${result.imageId}${result.reused ? " (reused)" : ""}; recorded as imageId in ${args.config}\n`,
    );
}

/** The handler: flags and hotspot.json checked first, then EC2 (credentials from the SDK's default chain). */
export async function runImageCommand(args: ImageArgs): Promise<void> {
  const action = parseChoice("action", args.action, actions);
  // As every other command: the local cloud that `hotspot local env` named, unless told otherwise.
  const cloud = parseChoice(
    "--cloud",
    args.cloud ?? ((await localCloudFromEnv()) === undefined ? "aws" : "local"),
    clouds,
  );
  const endpoint = endpointOf(args, cloud);
  const config = await readLiveConfig(args.config);
  // A build (minutes, an image) or a delete of the recorded image ends by rewriting the config.
  if (action === "build" || (action === "delete" && (args.image ?? config.imageId) === config.imageId)) {
    await checkOutputPath("--config", args.config);
  }
  if (action === "build") return runBuild(args, config, cloud, endpoint);
  if (action === "list") {
    const images = await listImages({ config, endpoint });
    if (args.json) {
      out(`${JSON.stringify(images.map((i) => ({ ...i, inConfig: i.id === config.imageId })))}\n`);
      return;
    }
    out(`images of setup ${config.name} in ${config.region} (* = imageId of ${args.config}):\n`);
    for (const i of images) {
      const mark = i.id === config.imageId ? "*" : " ";
      out(`${mark} ${i.id}  ${i.state.padEnd(9)} ${i.architecture.padEnd(7)} ${i.creationDate}  ${i.name}\n`);
    }
    if (images.length === 0) out("  (none)\n");
    return;
  }
  const imageId = args.image ?? config.imageId;
  if (imageId === undefined)
    throw new UsageError("image", `an image id (${args.config} records none)`, "nothing");
  const image = await deleteImage({ config, endpoint }, imageId);
  out(`deregistered ${image.id}; deleted snapshots ${image.snapshotIds.join(", ") || "(none)"}\n`);
  if (config.imageId === image.id) {
    await recordImage(args.config, config, undefined);
    out(`removed imageId from ${args.config}\n`);
  }
}

export const imageCommand: CommandModule<object, ImageArgs> = {
  command: "image <action> [image]",
  describe: "Build, list or delete the image every instance boots (LXC, CRIU, Node, hotspot)",
  builder: builder as unknown as CommandModule<object, ImageArgs>["builder"],
  handler: runImageCommand,
};
