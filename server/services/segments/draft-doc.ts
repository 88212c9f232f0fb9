import { uuidv4 } from "lib0/random";
import * as Y from "yjs";
import type { Definition, SegmentMeta } from "./definition";
import { isGroup, type Condition, type RuleGroup } from "./rules";

/**
 * A proposal's draft as a Yjs document, shared by the server (create, submit) and the
 * browser's rule builder. Layout:
 *   meta:  Y.Map  name, description, valueProposition, ownerId, regionId, parentId, decisionUse
 *   rules: Y.Map  the root group
 * A group is a Y.Map {id, combinator, children: Y.Array<Y.Map>}; a condition is a Y.Map of its
 * fields (id, op, field, value | values | days | segmentId). Two people editing different
 * conditions, or different fields of one, merge; the same field is last-writer-wins.
 * Nothing here validates: `readDefinition` returns what the document holds and callers parse
 * it with ZDefinition when it leaves the document (preview, submit).
 */

export const META_KEYS = ["name", "description", "valueProposition", "ownerId", "regionId", "parentId", "decisionUse"] as const;

export function newNodeId(): string {
  return uuidv4().slice(0, 8);
}

export function metaOf(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap("meta");
}

export function rootGroup(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap("rules");
}

export function childrenOf(group: Y.Map<unknown>): Y.Array<Y.Map<unknown>> {
  return group.get("children") as Y.Array<Y.Map<unknown>>;
}

export function isGroupMap(node: Y.Map<unknown>): boolean {
  return node.has("combinator");
}

function conditionMap(condition: Condition): Y.Map<unknown> {
  const map = new Y.Map<unknown>();
  for (const [key, value] of Object.entries({ ...condition, id: condition.id ?? newNodeId() })) {
    if (value !== undefined) map.set(key, value);
  }
  return map;
}

export function groupMap(group: RuleGroup): Y.Map<unknown> {
  const map = new Y.Map<unknown>();
  fillGroup(map, group);
  return map;
}

function fillGroup(map: Y.Map<unknown>, group: RuleGroup) {
  map.set("id", group.id ?? newNodeId());
  map.set("combinator", group.combinator);
  const children = new Y.Array<Y.Map<unknown>>();
  children.push(group.children.map((child) => (isGroup(child) ? groupMap(child) : conditionMap(child))));
  map.set("children", children);
}

export function nodeMap(node: RuleGroup | Condition): Y.Map<unknown> {
  return isGroup(node) ? groupMap(node) : conditionMap(node);
}

/** Fills an empty document with a definition (a new proposal's starting point). */
export function writeDefinition(doc: Y.Doc, definition: Definition): void {
  doc.transact(() => {
    const meta = metaOf(doc);
    for (const key of META_KEYS) meta.set(key, definition[key]);
    const root = rootGroup(doc);
    for (const key of Array.from(root.keys())) root.delete(key);
    fillGroup(root, definition.rules);
  });
}

function readNode(map: Y.Map<unknown>): unknown {
  if (!isGroupMap(map)) return map.toJSON();
  const children = map.get("children");
  return {
    id: map.get("id"),
    combinator: map.get("combinator"),
    children: children instanceof Y.Array ? children.toArray().map((c) => readNode(c as Y.Map<unknown>)) : [],
  };
}

/** What the document holds, unvalidated: parse with ZDefinition before use. */
export function readDefinition(doc: Y.Doc): Record<keyof SegmentMeta | "rules", unknown> {
  const meta = metaOf(doc);
  const root = rootGroup(doc);
  return {
    name: meta.get("name") ?? "",
    description: meta.get("description") ?? "",
    valueProposition: meta.get("valueProposition") ?? "",
    ownerId: meta.get("ownerId") ?? null,
    regionId: meta.get("regionId") ?? null,
    parentId: meta.get("parentId") ?? null,
    decisionUse: meta.get("decisionUse") ?? "none",
    rules: root.has("combinator") ? readNode(root) : { combinator: "and", children: [] },
  };
}

/** Finds a node (group or condition) by id, with the array that holds it. */
export function findNode(doc: Y.Doc, id: string): { node: Y.Map<unknown>; parent: Y.Array<Y.Map<unknown>> | null; index: number } | null {
  const root = rootGroup(doc);
  if (root.get("id") === id) return { node: root, parent: null, index: -1 };
  const walk = (group: Y.Map<unknown>): ReturnType<typeof findNode> => {
    const children = childrenOf(group);
    if (!children) return null;
    for (let i = 0; i < children.length; i++) {
      const child = children.get(i);
      if (child.get("id") === id) return { node: child, parent: children, index: i };
      if (isGroupMap(child)) {
        const found = walk(child);
        if (found) return found;
      }
    }
    return null;
  };
  return walk(root);
}
