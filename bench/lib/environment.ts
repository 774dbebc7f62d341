/**
 * What every result names: the machine (cores, CPU, memory), the database the
 * run used (FerretDB or MongoDB, asked of the server itself), Redis, the date.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import mongoose from 'mongoose';

export interface DatabaseInfo {
  kind: 'FerretDB' | 'MongoDB';
  version: string;
  /** How the run got it: started here (FerretDB launcher, mongod) or MONGO_URL. */
  source: string;
}

export interface RunInfo {
  date: string;
  quick: boolean;
  machine: {
    cores: number;
    cpuModel: string;
    memoryGb: number;
    os: string;
    node: string;
  };
  database: DatabaseInfo;
  redis: string;
  /** The bench's own open-files limit (sockets per process). */
  fileLimit: number;
  /** 1-minute load average when the run began: other work on the machine skews every figure. */
  loadAverageAtStart: number;
}

export async function describeDatabase(serverUrl: string, source: string): Promise<DatabaseInfo> {
  const client = await new mongoose.mongo.MongoClient(serverUrl, { serverSelectionTimeoutMS: 5000 }).connect();
  try {
    const info = await client.db('admin').command({ buildInfo: 1 }) as Record<string, unknown>;
    if ('ferretdbVersion' in info) {
      const version = String(info.ferretdbVersion);
      return {
        kind: 'FerretDB',
        version: version === 'unknown' ? `v1.24.2 launcher (reports MongoDB ${String(info.version)})` : version,
        source,
      };
    }
    return { kind: 'MongoDB', version: String(info.version), source };
  } finally {
    await client.close();
  }
}

function redisVersion(): string {
  try {
    const text = execFileSync('redis-server', ['--version']).toString();
    return /v=([\d.]+)/.exec(text)?.[1] ?? text.trim();
  } catch {
    return 'unknown';
  }
}

export function describeRun(quick: boolean, database: DatabaseInfo, fileLimit: number, redisCluster = false): RunInfo {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    quick,
    machine: {
      cores: cpus.length,
      cpuModel: cpus[0]?.model.trim() ?? 'unknown',
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      os: `${os.type()} ${os.release()}`,
      node: process.version,
    },
    database,
    redis: `redis-server ${redisVersion()}, one private instance per cluster, started by the bench${
      redisCluster ? '; fan-out also on a Redis Cluster (3 primaries + 3 replicas on this machine) per cluster' : ''}`,
    fileLimit,
    loadAverageAtStart: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
  };
}
