import path from "node:path";
import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"], { message: "must be true or false" })
  .transform((v) => v === "true" || v === "1" || v === "yes");

const postgresUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), { message: "must be a postgres:// or postgresql:// URL" });

const ZEnv = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number({ message: "must be a number" }).int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATABASE_URL: postgresUrl.optional(),
  DATA_DIR: z.string().min(1).default(".data"),
  EMBEDDED_PG_PORT: z.coerce.number({ message: "must be a number" }).int().min(0).max(65535).default(0),
  APP_DB_ROLE: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, { message: "must be a lower-case PostgreSQL identifier" })
    .default("quorum_app"),
  APP_DB_PASSWORD: z.string().min(8, { message: "must be at least 8 characters" }).default("quorum-app-local"),
  PUBLIC_URL: z.url({ message: "must be a URL such as https://quorum.example.com" }).optional(),
  SESSION_TTL_HOURS: z.coerce.number({ message: "must be a number" }).positive().default(24 * 14),
  INVITE_TTL_HOURS: z.coerce.number({ message: "must be a number" }).positive().default(72),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().positive().default(5),
  LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().positive().default(30),
  LOGIN_WINDOW_MINUTES: z.coerce.number().int().positive().default(15),
  /** Sign-ups from one address per LOGIN_WINDOW_MINUTES (decision 017: a room full of invitees shares one NAT). */
  SIGNUP_MAX_PER_IP: z.coerce.number({ message: "must be a number" }).int().positive().default(30),
  /** Invitation links that were not valid, per address and per account, per LOGIN_WINDOW_MINUTES. */
  INVITE_MAX_FAILURES_PER_IP: z.coerce.number({ message: "must be a number" }).int().positive().default(20),
  INVITE_MAX_FAILURES_PER_ACCOUNT: z.coerce.number({ message: "must be a number" }).int().positive().default(10),
  SEED: z.enum(["auto", "never"], { message: "must be auto or never" }).default("auto"),
  TRUST_PROXY: bool.default(false),
  WORKERS_IN_PROCESS: bool.default(true),
  MAX_UPLOAD_MB: z.coerce.number({ message: "must be a number" }).positive().default(500),
  /** Requests per API key per minute on each instance (decision 008). */
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number({ message: "must be a number" }).int().positive().default(6000),
  /** Requests without a valid API key per client address per minute on each instance (decision 017). */
  API_INVALID_KEY_LIMIT_PER_MINUTE: z.coerce.number({ message: "must be a number" }).int().positive().default(60),
  /** Redis for running several web instances (socket.io adapter and co-editing between instances, decision 014). */
  REDIS_URL: z
    .string()
    .refine((v) => /^rediss?:\/\//.test(v), { message: "must be a redis:// or rediss:// URL" })
    .optional(),
  /** Prefix of this deployment's Redis channels (several deployments, or parallel tests, may share one Redis). */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,100}$/, { message: "must be letters, digits, '_', '.', ':' or '-'" })
    .default("quorum"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Config = ReturnType<typeof parseConfig>;

export class ConfigError extends Error {}

/** Reads the configuration from the environment; every bad value is named with what it must be. */
export function parseConfig(env: Record<string, string | undefined> = process.env) {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = ZEnv.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}=${JSON.stringify(cleaned[String(i.path[0])])}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const c = result.data;
  return { ...c, DATA_DIR: path.resolve(c.DATA_DIR) };
}
