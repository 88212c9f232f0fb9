import Collaboration from "@tiptap/extension-collaboration";
import { EditorContent, useEditor, type Editor } from "@tiptap/react";
import StarterKit from "@tiptap/starter-kit";
import { useEffect, type ReactNode } from "react";
import type * as Y from "yjs";
import { useCspNonce } from "../../lib/csp-nonce";
import type { RichNode } from "../../../server/services/swot/board-doc";

/**
 * A card's rich text. The editor is TipTap (ProseMirror) bound to the card's Y.XmlFragment by
 * y-prosemirror, so several people type in one card at once and undo undoes only their own
 * typing. Bold (Ctrl+B), italic (Ctrl+I) and bullet/numbered lists ("- " / "1. " or the
 * toolbar). Reviews, which are JSON, render with RichTextView.
 */
export function CardTextEditor({
  fragment,
  editable,
  label,
  onFocus,
  onBlur,
}: {
  fragment: Y.XmlFragment;
  editable: boolean;
  label: string;
  onFocus?: () => void;
  onBlur?: () => void;
}) {
  const nonce = useCspNonce();
  const editor = useEditor(
    {
      immediatelyRender: false,
      injectNonce: nonce,
      editable,
      extensions: [
        StarterKit.configure({ history: false, heading: false, codeBlock: false, blockquote: false, horizontalRule: false }),
        Collaboration.configure({ fragment }),
      ],
      editorProps: { attributes: { class: "swot-text__editor", "aria-label": label, "aria-multiline": "true", role: "textbox" } },
      onFocus: () => onFocus?.(),
      onBlur: () => onBlur?.(),
    },
    [fragment],
  );
  useEffect(() => {
    if (editor && editor.isEditable !== editable) editor.setEditable(editable);
  }, [editor, editable]);
  return (
    <div className="swot-text">
      {editable && editor ? <Toolbar editor={editor} /> : null}
      <EditorContent editor={editor} />
    </div>
  );
}

function Toolbar({ editor }: { editor: Editor }) {
  const button = (name: string, label: string, shortcut: string, run: () => void, content: ReactNode) => (
    <button
      type="button"
      className={`swot-text__tool${editor.isActive(name) ? " swot-text__tool--on" : ""}`}
      aria-pressed={editor.isActive(name)}
      aria-label={label}
      title={`${label} (${shortcut})`}
      onMouseDown={(e) => e.preventDefault()}
      onClick={run}
    >
      {content}
    </button>
  );
  return (
    <div className="swot-text__toolbar" role="toolbar" aria-label="Text formatting">
      {button("bold", "Bold", "Ctrl+B", () => editor.chain().focus().toggleBold().run(), <b>B</b>)}
      {button("italic", "Italic", "Ctrl+I", () => editor.chain().focus().toggleItalic().run(), <i>I</i>)}
      {button("bulletList", "Bulleted list", "Ctrl+Shift+8", () => editor.chain().focus().toggleBulletList().run(), "•")}
      {button("orderedList", "Numbered list", "Ctrl+Shift+7", () => editor.chain().focus().toggleOrderedList().run(), "1.")}
    </div>
  );
}

/** Rich text stored as JSON (a reviewed board), drawn without an editor. */
export function RichTextView({ node }: { node: RichNode }) {
  return <div className="swot-text__view">{renderChildren(node)}</div>;
}

function renderChildren(node: RichNode): ReactNode {
  return (node.content ?? []).map((child, i) => <RichNodeView key={i} node={child} />);
}

function RichNodeView({ node }: { node: RichNode }): ReactNode {
  switch (node.type) {
    case "paragraph":
      return <p>{renderChildren(node)}</p>;
    case "bulletList":
      return <ul>{renderChildren(node)}</ul>;
    case "orderedList":
      return <ol>{renderChildren(node)}</ol>;
    case "listItem":
      return <li>{renderChildren(node)}</li>;
    case "hardBreak":
      return <br />;
    case "text": {
      let out: ReactNode = node.text ?? "";
      for (const mark of node.marks ?? []) {
        if (mark === "bold") out = <strong>{out}</strong>;
        else if (mark === "italic") out = <em>{out}</em>;
        else if (mark === "strike") out = <s>{out}</s>;
        else if (mark === "code") out = <code>{out}</code>;
      }
      return out;
    }
    default:
      return renderChildren(node);
  }
}
