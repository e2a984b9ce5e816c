/** Every policy's name, in the order `--policy all` runs them; light enough for the CLI's help. */
export const policyNames = [
  "on-demand",
  "spot-stay",
  "greedy",
  "hotspot",
  "hotspot-plus",
  "optimal",
] as const;

export type PolicyName = (typeof policyNames)[number];
