/** Emulated Redshift and Redshift Serverless control planes for the clusters and workgroups of the Data API. */
import type { LocalService } from '../service.js';
import { createRedshiftInventory, type RedshiftInventoryOptions } from './inventory.js';
import { createRedshiftServerlessService } from './redshift-serverless-service.js';
import { createRedshiftService } from './redshift-service.js';

export type { RedshiftInventoryOptions } from './inventory.js';
export { createRedshiftServerlessService } from './redshift-serverless-service.js';
export { createRedshiftService } from './redshift-service.js';

/** Both control planes over one inventory: DescribeClusters, GetWorkgroup and GetNamespace. */
export function createRedshiftControlPlaneServices(options: RedshiftInventoryOptions): LocalService[] {
  const inventory = createRedshiftInventory(options);
  return [createRedshiftService(inventory), createRedshiftServerlessService(inventory)];
}
