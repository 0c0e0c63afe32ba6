import { importFolder } from './helpers/suite.js';

importFolder(new URL('./authzen/', import.meta.url));
