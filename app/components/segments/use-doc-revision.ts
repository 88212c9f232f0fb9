import { useEffect, useState } from "react";
import type * as Y from "yjs";

/**
 * A number that changes with every update of the document (local or remote), so a component
 * that reads the document while rendering renders again when it changes.
 */
export function useDocRevision(doc: Y.Doc): number {
  const [revision, setRevision] = useState(0);
  useEffect(() => {
    const bump = () => setRevision((r) => r + 1);
    doc.on("update", bump);
    return () => doc.off("update", bump);
  }, [doc]);
  return revision;
}
