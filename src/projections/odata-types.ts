/**
 * The versioned `@odata.type` of each resource the service serves: one place to move a resource
 * to a newer schema version, and the list $metadata is made from. Versions are the newest in
 * DMTF's CSDL that the documents satisfy.
 */
export const ODATA_TYPE = {
  ServiceRoot: '#ServiceRoot.v1_20_0.ServiceRoot',
  ComputerSystemCollection: '#ComputerSystemCollection.ComputerSystemCollection',
  ComputerSystem: '#ComputerSystem.v1_27_0.ComputerSystem',
  ManagerCollection: '#ManagerCollection.ManagerCollection',
  Manager: '#Manager.v1_24_0.Manager',
  VirtualMediaCollection: '#VirtualMediaCollection.VirtualMediaCollection',
  VirtualMedia: '#VirtualMedia.v1_6_5.VirtualMedia',
  ChassisCollection: '#ChassisCollection.ChassisCollection',
  Chassis: '#Chassis.v1_28_0.Chassis',
  ActionInfo: '#ActionInfo.v1_5_0.ActionInfo',
  Bios: '#Bios.v1_2_3.Bios',
  Settings: '#Settings.v1_4_0.Settings',
  EthernetInterfaceCollection: '#EthernetInterfaceCollection.EthernetInterfaceCollection',
  EthernetInterface: '#EthernetInterface.v1_12_4.EthernetInterface',
  ProcessorCollection: '#ProcessorCollection.ProcessorCollection',
  Processor: '#Processor.v1_22_0.Processor',
  MemoryCollection: '#MemoryCollection.MemoryCollection',
  Memory: '#Memory.v1_23_0.Memory',
  SessionService: '#SessionService.v1_2_0.SessionService',
  MessageRegistryFileCollection: '#MessageRegistryFileCollection.MessageRegistryFileCollection',
  MessageRegistryFile: '#MessageRegistryFile.v1_1_5.MessageRegistryFile',
  TaskService: '#TaskService.v1_3_0.TaskService',
  TaskCollection: '#TaskCollection.TaskCollection',
  SessionCollection: '#SessionCollection.SessionCollection',
  Session: '#Session.v1_8_0.Session',
  AccountService: '#AccountService.v1_18_1.AccountService',
  ManagerAccountCollection: '#ManagerAccountCollection.ManagerAccountCollection',
  ManagerAccount: '#ManagerAccount.v1_14_1.ManagerAccount',
  RoleCollection: '#RoleCollection.RoleCollection',
  Role: '#Role.v1_3_3.Role',
} as const;
