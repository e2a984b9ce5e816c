import { policyInputFlags } from "../policies/inputs.js";

/** `--advisor`, as sim and sweep take it (setup's says where it records it). */
export const advisorOption = { type: "string", describe: policyInputFlags.advisor } as const;

/** `--advisor-os`, for every command that reads the advisor feed. */
export const advisorOsOption = {
  type: "string",
  default: "Linux",
  describe: "Operating system in the advisor feed",
} as const;
