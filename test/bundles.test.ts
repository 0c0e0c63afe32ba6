import { importFolder } from './helpers/suite.js';

importFolder(new URL('./bundles/', import.meta.url));
