/**
 * The layers of the workspace and who may import whom (docs/architecture.md), checked by
 * `npm run check` (scripts/check-layers.sh). A package is named by its folder or, when an import
 * is not resolved to a file, by its module name.
 */
const pkg = (...names) => `^(packages/(${names.join('|')})/|@orderscope/(${names.join('|')})($|/))`;
const SERVICES = ['shop', 'mes-api', 'crm', 'mes', 'simulator'];
const service = (...names) => `^(services/(${names.join('|')})/|@orderscope/(${names.join('|')})($|/))`;

/** Each layer, and what it may not reach: everything above it. */
const above = {
  platform: ['orders', 'service-kit', 'ops', 'dashboards', 'testkit', 'component-tests'],
  orders: ['service-kit', 'ops', 'dashboards', 'testkit', 'component-tests'],
  'service-kit': ['ops', 'dashboards', 'testkit', 'component-tests'],
  ops: ['service-kit', 'dashboards', 'testkit', 'component-tests'],
  // Dashboards as code: they may know the order domain (its statuses), nothing that runs.
  dashboards: ['platform', 'service-kit', 'ops', 'testkit', 'component-tests'],
  testkit: ['component-tests'],
};

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import circles, inside a package or between packages.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...Object.entries(above).map(([layer, forbidden]) => ({
      name: `${layer}-imports-nothing-above-it`,
      comment: `packages/${layer} may not import ${forbidden.join(', ')} nor any service.`,
      severity: 'error',
      from: { path: `^packages/${layer}/` },
      to: { path: [pkg(...forbidden), service(...SERVICES)] },
    })),
    {
      name: 'services-stand-on-the-kit',
      comment: 'A service (and the simulator) uses the platform, the orders package and the kit; ops tooling and the testkit stay out of its code.',
      severity: 'error',
      from: { path: '^services/[^/]+/src/' },
      to: { path: pkg('ops', 'dashboards', 'testkit', 'component-tests') },
    },
    {
      name: 'no-service-imports-another',
      comment: 'A service talks to another through its contract and client (packages/orders), never through its code.',
      severity: 'error',
      from: { path: '^services/([^/]+)/' },
      to: { path: service(...SERVICES), pathNot: ['^services/$1/', '^@orderscope/$1($|/)'] },
    },
    {
      name: 'testkit-only-in-tests',
      comment: 'Only tests (and the test packages) use the testkit: it is not in the images.',
      severity: 'error',
      from: { path: '^(packages|services)/[^/]+/src/', pathNot: '^packages/(testkit|component-tests)/' },
      to: { path: pkg('testkit') },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.base.json' },
    tsPreCompilationDeps: true,
    // A workspace package resolves to its built dist/ (its package.json exports): kept as an
    // edge for the rules, not followed.
    doNotFollow: { path: ['node_modules', '(^|/)dist/'] },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types'],
    },
  },
};
