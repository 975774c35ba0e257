/** `/redfish/v1/Systems/1/Actions/ComputerSystem.Reset` → the resource and `#ComputerSystem.Reset`. */
export function actionOf(path: string): { odataId: string; action: string } | undefined {
  const at = path.lastIndexOf('/Actions/');
  if (at < 0) return undefined;
  return { odataId: path.slice(0, at), action: `#${path.slice(at + '/Actions/'.length)}` };
}
