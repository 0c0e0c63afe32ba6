import { importFolder } from './helpers/suite.js';

importFolder(new URL('./decisionlog/', import.meta.url));
