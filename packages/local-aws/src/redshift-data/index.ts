/** Emulated Redshift Data API running statements on a real PostgreSQL. */
export {
  createRedshiftDataService,
  type PostgresTargetConfig,
  type RedshiftDataService,
  type RedshiftDataServiceOptions,
} from './redshift-data-service.js';
