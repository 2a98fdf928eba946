import { versionSuite } from './versions-suite.js';

versionSuite('elasticsearch through the CLI: 5.x and 6.x clusters', [
  ['5.6.16', 'test', '_template'],
  ['6.8.23', 'doc', '_template'],
]);
