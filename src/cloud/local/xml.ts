/** A tiny XML writer for EC2 Query responses: elements are built as strings, children nested. */
export type XmlValue = string | number | boolean | null | undefined | XmlNode | readonly XmlValue[];

export interface XmlNode {
  readonly xml: string;
}

export const EC2_NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";

const escapes: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapes[c]);
}

/** `<name>value</name>`; null/undefined values leave the element out; arrays are spliced in. */
export function el(name: string, ...children: XmlValue[]): XmlNode {
  let present = children.length === 0;
  for (const child of children) if (child !== null && child !== undefined) present = true;
  return { xml: present ? `<${name}>${content(children)}</${name}>` : "" };
}

function content(children: readonly XmlValue[]): string {
  let inner = "";
  for (const child of children) {
    if (child === null || child === undefined) continue;
    if (Array.isArray(child)) inner += content(child as readonly XmlValue[]);
    else if (typeof child === "object") inner += (child as XmlNode).xml;
    else inner += escapeXml(String(child));
  }
  return inner;
}

/** `<name><item>..</item>...</name>`, the EC2 list shape. */
export function set<T>(name: string, items: readonly T[], render: (item: T) => XmlValue[]): XmlNode {
  return el(
    name,
    items.map((item) => el("item", ...render(item))),
  );
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

export function responseDocument(action: string, requestId: string, body: readonly XmlValue[]): string {
  const inner = content(body);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_NAMESPACE}"><requestId>${requestId}</requestId>${inner}</${action}Response>`;
}

export function errorDocument(code: string, message: string, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
}
