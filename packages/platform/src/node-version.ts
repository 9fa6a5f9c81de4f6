import { pathToFileURL } from 'node:url';

/** The Node.js major version the project runs on (package.json engines; scripts/ensure-node24.sh). */
export const REQUIRED_NODE_MAJOR = 24;

/**
 * Ends the process, loudly, on any other Node: an entry point started on an unsupported Node must
 * never half-work or exit 0 having done nothing. `npm run …` always uses the project's Node 24.
 */
export function assertNodeVersion(what: string, version: string = process.versions.node): void {
  const major = Number(version.split('.')[0]);
  if (major !== REQUIRED_NODE_MAJOR) {
    console.error(`${what}: needs Node.js ${REQUIRED_NODE_MAJOR}, this is ${version} — run it through npm (npm run …), which uses the project's Node ${REQUIRED_NODE_MAJOR}`);
    process.exit(1);
  }
}

/** True when the module is the process's entry point (works on every Node, unlike import.meta.main). */
export function isEntryPoint(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href;
}
