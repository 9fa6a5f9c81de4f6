/** Bad command line or options: exit code 2, with the message and a hint to --help. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The run cannot start (services not ready, faults cannot be applied): exit code 1. */
export class SetupError extends Error {
  override name = 'SetupError';
}
