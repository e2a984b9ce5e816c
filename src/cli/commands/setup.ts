import { checkOutputPath } from "../../util/output-path.js";
import type { Argv, CommandModule } from "yargs";
import { UsageError } from "../../errors.js";
import { policies, policyByName, policyNames, resolveParams } from "../../policies/index.js";
import { checkPolicyInputs, policyInputFlags } from "../../policies/inputs.js";
import { loadPolicyInputs, setupOnEc2, type IngressRule, type SetupOptions } from "../../api.js";
import { wallClock, type Clock } from "../../util/clock.js";
import {
  CONTAINER_NAME_RE,
  INSTANCE_TYPE_RE,
  REGION_RE,
  SETUP_NAME_RE,
  cidr,
  cidrSize,
  cidrWithin,
  ipv4,
  isZoneOf,
} from "../../setup/validate.js";
import { parseInteger, parseList, parseNumber } from "../../options/parse.js";
import { advisorOsOption } from "../policy-input-options.js";

function builder(yargs: Argv) {
  return yargs
    .option("region", { type: "string", describe: "AWS region, e.g. us-east-1 (default: AWS_REGION)" })
    .option("zone", { type: "string", describe: "Availability zone in the region, e.g. us-east-1a" })
    .option("name", {
      type: "string",
      default: "hotspot",
      describe: "Setup name: tag hotspot:setup=NAME on all",
    })
    .option("vpc-cidr", {
      type: "string",
      default: "10.0.0.0/16",
      describe: "VPC address block (/16 to /28)",
    })
    .option("subnet-cidr", {
      type: "string",
      default: "10.0.1.0/24",
      describe: "Subnet block inside the VPC",
    })
    .option("private-ip", {
      type: "string",
      default: "10.0.1.10",
      describe: "The ENI's fixed private address",
    })
    .option("ingress", {
      type: "string",
      array: true,
      describe:
        "Inbound rule PROTO:PORT[-PORT]:CIDR (tcp|udp), repeatable; within-VPC traffic is always allowed",
    })
    .option("volume-gib", {
      type: "string",
      default: "20",
      describe: "Size of the gp3 encrypted volume, GiB",
    })
    .option("container", { type: "string", default: "hotspot", describe: "Name of the LXC container" })
    .option("types", { type: "string", array: true, describe: "Candidate instance types, comma-separated" })
    .option("policy", { type: "string", default: "hotspot", describe: "Policy `hotspot live` runs" })
    .option("param", { type: "string", array: true, describe: "Policy parameter name=value (repeatable)" })
    .option("advisor", {
      type: "string",
      describe: `${policyInputFlags.advisor}; recorded in the config for every controller`,
    })
    .option("advisor-os", advisorOsOption)
    .option("config", { type: "string", default: "hotspot.json", describe: "Config file to write" })
    .option("endpoint", { type: "string", describe: "EC2 endpoint URL, e.g. the local cloud emulator" })
    .option("dry-run", { type: "boolean", default: false, describe: "Print the API calls; change nothing" })
    .option("destroy", { type: "boolean", default: false, describe: "Remove what setup made (by its tags)" })
    .example(
      "$0 setup --region us-east-1 --zone us-east-1a --types m5.large,c5.xlarge --ingress tcp:22:198.51.100.0/24",
      "Make the network, ENI, Elastic IP and volume, and write hotspot.json",
    )
    .example(
      "$0 setup --region us-east-1 --zone us-east-1a --destroy --dry-run",
      "Show what --destroy removes",
    );
}

export interface SetupArgs {
  region?: string;
  zone?: string;
  name: string;
  "vpc-cidr": string;
  "subnet-cidr": string;
  "private-ip": string;
  ingress?: string[];
  "volume-gib": string;
  container: string;
  types?: string[];
  policy: string;
  param?: string[];
  advisor?: string;
  "advisor-os": string;
  config: string;
  endpoint?: string;
  "dry-run": boolean;
  destroy: boolean;
}

const quoted = (value: unknown) => (value === undefined ? "nothing" : JSON.stringify(String(value)));

/** Every flag checked once, before any API call; throws UsageError naming the flag. */
export function setupOptionsFromArgs(args: SetupArgs): SetupOptions & { endpoint?: string } {
  // The SDK's own variables, as every AWS tool reads them.
  const region = args.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "";
  if (!REGION_RE.test(region))
    throw new UsageError("--region", "an AWS region such as us-east-1", quoted(args.region));
  const zone = args.zone ?? "";
  if (!isZoneOf(zone, region)) {
    throw new UsageError(
      "--zone",
      `an availability zone in region ${region} such as ${region}a`,
      quoted(args.zone),
    );
  }
  if (!SETUP_NAME_RE.test(args.name)) {
    throw new UsageError(
      "--name",
      "lower-case letters, digits and inner dashes (at most 32)",
      quoted(args.name),
    );
  }
  const vpc = cidr(args["vpc-cidr"]);
  if (vpc === undefined || vpc.bits < 16 || vpc.bits > 28) {
    throw new UsageError(
      "--vpc-cidr",
      "an IPv4 block from /16 to /28 such as 10.0.0.0/16",
      quoted(args["vpc-cidr"]),
    );
  }
  const subnet = cidr(args["subnet-cidr"]);
  if (subnet === undefined || subnet.bits > 28 || !cidrWithin(subnet, vpc)) {
    throw new UsageError(
      "--subnet-cidr",
      `a block of /28 or larger inside ${args["vpc-cidr"]}`,
      quoted(args["subnet-cidr"]),
    );
  }
  const ip = ipv4(args["private-ip"]);
  // AWS keeps the first four addresses and the last of every subnet.
  if (ip === undefined || ip < subnet.base + 4 || ip >= subnet.base + cidrSize(subnet) - 1) {
    throw new UsageError(
      "--private-ip",
      `an address of ${args["subnet-cidr"]} other than its first four and its last`,
      quoted(args["private-ip"]),
    );
  }
  const ingress = (parseList("--ingress", args.ingress) ?? []).map(parseIngress);
  const volumeGiB = parseInteger("--volume-gib", args["volume-gib"], 1, 16384);
  if (!CONTAINER_NAME_RE.test(args.container)) {
    throw new UsageError(
      "--container",
      "letters, digits, '_', '.', '-' (at most 64)",
      quoted(args.container),
    );
  }
  const destroy = args.destroy;
  const types = parseList("--types", args.types) ?? [];
  if (!destroy && types.length === 0) {
    throw new UsageError("--types", "candidate instance types such as m5.large,c5.xlarge", "nothing");
  }
  for (const [index, type] of types.entries()) {
    if (!INSTANCE_TYPE_RE.test(type))
      throw new UsageError("--types", "instance types such as m5.large", quoted(type));
    if (types.indexOf(type) !== index) throw new UsageError("--types", "each type once", quoted(type));
  }
  const live = policyNames.filter((name) => !policies[name].simulationOnly);
  if (!live.includes(args.policy as never)) {
    throw new UsageError(
      "--policy",
      `a policy that can run live: one of ${live.join(", ")}`,
      quoted(args.policy),
    );
  }
  const definition = policies[args.policy as keyof typeof policies];
  const given: Record<string, number> = {};
  for (const item of parseList("--param", args.param) ?? []) {
    const match = /^([A-Za-z][\w-]*)=(.+)$/.exec(item);
    if (!match) throw new UsageError("--param", "name=value", quoted(item));
    given[match[1]] = parseNumber(`--param ${match[1]}`, match[2]);
  }
  const params = resolveParams(definition, given);
  checkPolicyInputs([definition], args);
  if (args.endpoint !== undefined && !/^https?:\/\/[^\s/]+(?:\/\S*)?$/.test(args.endpoint)) {
    throw new UsageError("--endpoint", "an http(s) URL such as http://127.0.0.1:4566", quoted(args.endpoint));
  }
  return {
    spec: {
      name: args.name,
      region,
      zone,
      vpcCidr: args["vpc-cidr"],
      subnetCidr: args["subnet-cidr"],
      privateIp: args["private-ip"],
      ingress,
      volumeGiB,
    },
    mode: destroy ? (args["dry-run"] ? "destroy-dry-run" : "destroy") : args["dry-run"] ? "dry-run" : "apply",
    configPath: args.config,
    containerName: args.container,
    instanceTypes: types,
    // Loaded by the handler, once every flag is checked.
    policy: { name: definition.name, params, inputs: {} },
    ...(args.endpoint !== undefined ? { endpoint: args.endpoint } : {}),
  };
}

/** `tcp:22:0.0.0.0/0` or `udp:5000-5010:10.0.0.0/8`. */
function parseIngress(item: string): IngressRule {
  const expected = "PROTO:PORT[-PORT]:CIDR with PROTO tcp or udp, such as tcp:22:198.51.100.0/24";
  const match = /^(tcp|udp):(\d{1,5})(?:-(\d{1,5}))?:(.+)$/.exec(item);
  const from = Number(match?.[2]);
  const to = match?.[3] === undefined ? from : Number(match[3]);
  if (!match || cidr(match[4]) === undefined || from > 65535 || to > 65535 || from > to) {
    throw new UsageError("--ingress", expected, quoted(item));
  }
  return { protocol: match[1], fromPort: from, toPort: to, cidr: match[4] };
}

/** The handler: checks flags, then talks to EC2 (credentials from the SDK's default chain only). */
export async function runSetupCommand(args: SetupArgs, clock: Clock = wallClock): Promise<void> {
  const checked = setupOptionsFromArgs(args);
  const inputs =
    checked.mode === "apply"
      ? await loadPolicyInputs([policyByName(checked.policy.name)], {
          advisor: args.advisor,
          advisorOs: args["advisor-os"],
          region: checked.spec.region,
        })
      : {};
  const options = { ...checked, policy: { ...checked.policy, inputs } };
  // Resources made and then no config to record them in would leave them for --destroy to find.
  if (options.mode === "apply") await checkOutputPath("--config", options.configPath);
  await setupOnEc2(options, (text) => process.stdout.write(text), clock);
}

export const setupCommand: CommandModule<object, SetupArgs> = {
  command: "setup",
  describe:
    "Make (or --destroy) the VPC, subnet, security group, gateway, ENI, Elastic IP and volume live mode uses",
  builder: builder as unknown as CommandModule<object, SetupArgs>["builder"],
  handler: (args) => runSetupCommand(args),
};
