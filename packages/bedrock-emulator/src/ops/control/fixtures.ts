/**
 * What the emulator's control planes know: application inference profiles and agents. Tests may add their own
 * through `EmulatorOptions.controlPlane`; these defaults let a fresh emulator answer the README's examples.
 */

export interface EmulatorAgent {
  /** The working draft's model (GetAgent). */
  foundationModel: string;
  /** Alias id → the version it routes to (`DRAFT` or a number). */
  aliases: Record<string, string>;
  /** Version → its model (GetAgentVersion); a version without an entry runs `foundationModel`. */
  versions?: Record<string, string>;
}

export interface ControlPlaneFixtures {
  /** Application inference profile id (the ARN's last segment) → the foundation-model ARNs it routes to. */
  inferenceProfiles?: Record<string, string[]>;
  /** Agent id → the agent. */
  agents?: Record<string, EmulatorAgent>;
}

const fm = (region: string, model: string) => `arn:aws:bedrock:${region}::foundation-model/${model}`;
const HAIKU_3 = "anthropic.claude-3-haiku-20240307-v1:0";
const SONNET_4_5 = "anthropic.claude-sonnet-4-5-20250929-v1:0";

export const DEFAULT_CONTROL_PLANE: Required<ControlPlaneFixtures> = {
  inferenceProfiles: {
    // One region: priced as the model itself.
    "emulator-haiku": [fm("us-east-1", HAIKU_3)],
    // Copied from the `us.` system profile: three US regions, the regional price.
    "emulator-sonnet-us": ["us-east-1", "us-east-2", "us-west-2"].map((r) => fm(r, SONNET_4_5)),
    // Copied from the `global.` profile: regions on several continents, the global price.
    "emulator-sonnet-global": ["us-east-1", "us-west-2", "eu-west-1", "ap-northeast-1", "sa-east-1"].map((r) => fm(r, SONNET_4_5)),
  },
  agents: {
    // The agent of LiteLLM's boto3 example in the README.
    L1RT58GYRW: { foundationModel: HAIKU_3, aliases: { MFPSBCXYTW: "1", TSTALIASID: "DRAFT" } },
    EMULATORAG: { foundationModel: HAIKU_3, aliases: { TSTALIASID: "DRAFT", EMULATORV2: "2" }, versions: { "2": `us.${SONNET_4_5}` } },
  },
};
