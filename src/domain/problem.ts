/**
 * Why a command was refused, in Redfish terms but with no HTTP in it: a Base message registry
 * MessageId (e.g. 'PropertyValueNotInList'), its arguments, the JSON pointer of the offending
 * property when there is one, and the HTTP status the REST layer should answer with.
 */
export interface RedfishProblem {
  readonly kind: 'problem';
  readonly status: number;
  readonly messageId: string;
  readonly messageArgs: readonly string[];
  readonly relatedProperties?: readonly string[];
  /** What the client can do about it, when the registry's generic Resolution would not say. */
  readonly resolution?: string;
}

export function problem(
  status: number,
  messageId: string,
  messageArgs: readonly (string | number)[] = [],
  relatedProperties?: readonly string[],
  resolution?: string,
): RedfishProblem {
  return {
    kind: 'problem',
    status,
    messageId,
    messageArgs: messageArgs.map(String),
    ...(relatedProperties ? { relatedProperties } : {}),
    ...(resolution !== undefined && { resolution }),
  };
}
