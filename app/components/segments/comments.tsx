import { useFetcher } from "@remix-run/react";
import { useEffect, useId, useRef, useState } from "react";
import { Notice } from "../notice";
import { SubmitButton } from "../submit-button";
import { formatDateMinute, initials } from "~/lib/format";
import { mentionParts } from "~/lib/segments";
import type { ActionResult } from "./review-panel";

export interface Comment {
  id: string;
  authorId: string | null;
  author: string;
  body: string;
  mentions: string[];
  createdAt: string | Date;
}

export interface Thread extends Comment {
  replies: Comment[];
}

interface Reader {
  id: string;
  name: string;
  email: string;
}

/** A comment's text with @mentions highlighted, and those naming the reader emphasised. */
function Body({ body, reader }: { body: string; reader: Reader }) {
  return (
    <p className="comment__body">
      {mentionParts(body, reader).map((part, i) =>
        part.mention ? (
          <mark key={i} className={`mention${part.mine ? " mention--me" : ""}`}>
            {part.text}
          </mark>
        ) : (
          <span key={i}>{part.text}</span>
        ),
      )}
    </p>
  );
}

function CommentView({ comment, reader }: { comment: Comment; reader: Reader }) {
  const mentionsMe = comment.mentions.includes(reader.id);
  return (
    <article className={`comment${mentionsMe ? " comment--mentions-me" : ""}`}>
      <span className="avatar avatar--sm" aria-hidden="true">
        {initials(comment.author)}
      </span>
      <div className="comment__main">
        <header className="comment__head">
          <span className="comment__author">{comment.author}</span>
          <time className="comment__when" dateTime={new Date(comment.createdAt).toISOString()}>
            {formatDateMinute(comment.createdAt)}
          </time>
          {mentionsMe ? <span className="badge badge--mention">Mentions you</span> : null}
        </header>
        <Body body={comment.body} reader={reader} />
      </div>
    </article>
  );
}

/** A comment box that empties itself once the comment is stored. */
function CommentForm({
  threadId,
  label,
  submitLabel,
  autoFocus,
  onDone,
}: {
  threadId: string | null;
  label: string;
  submitLabel: string;
  autoFocus?: boolean;
  onDone?: () => void;
}) {
  const fetcher = useFetcher<ActionResult>();
  const form = useRef<HTMLFormElement>(null);
  const id = useId();
  const result = fetcher.state === "idle" ? fetcher.data : undefined;
  const error = result && !result.ok ? (result.fieldErrors?.body ? `Comment: ${result.fieldErrors.body}` : result.formError) : null;

  const handled = useRef<unknown>(null);

  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok && handled.current !== fetcher.data) {
      handled.current = fetcher.data;
      form.current?.reset();
      onDone?.();
    }
  }, [fetcher.state, fetcher.data, onDone]);

  return (
    <fetcher.Form method="post" ref={form} className="comment-form">
      <input type="hidden" name="threadId" value={threadId ?? ""} />
      <label className="field__label" htmlFor={`${id}-body`}>
        {label}
      </label>
      <textarea
        id={`${id}-body`}
        name="body"
        className="input textarea"
        rows={2}
        required
        maxLength={4000}
        autoFocus={autoFocus}
        placeholder="Write a comment; @name or @email mentions a colleague"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      {error ? (
        <p className="field__error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
      <div className="button-row">
        <SubmitButton intent="comment" size="sm" pending={fetcher.state !== "idle"} pendingLabel="Posting…">
          {submitLabel}
        </SubmitButton>
        {onDone && threadId ? (
          <button type="button" className="button button--ghost button--sm" onClick={onDone}>
            Cancel
          </button>
        ) : null}
      </div>
    </fetcher.Form>
  );
}

function ThreadView({ thread, reader, canComment }: { thread: Thread; reader: Reader; canComment: boolean }) {
  const [replying, setReplying] = useState(false);
  return (
    <li className="thread">
      <CommentView comment={thread} reader={reader} />
      {thread.replies.length ? (
        <ol className="thread__replies" aria-label={`Replies to ${thread.author}`}>
          {thread.replies.map((r) => (
            <li key={r.id}>
              <CommentView comment={r} reader={reader} />
            </li>
          ))}
        </ol>
      ) : null}
      {canComment ? (
        <div className="thread__reply">
          {replying ? (
            <CommentForm threadId={thread.id} label={`Reply to ${thread.author}`} submitLabel="Reply" autoFocus onDone={() => setReplying(false)} />
          ) : (
            <button type="button" className="button button--ghost button--sm" onClick={() => setReplying(true)}>
              Reply<span className="visually-hidden"> to {thread.author}</span>
            </button>
          )}
        </div>
      ) : null}
    </li>
  );
}

/** The proposal's discussion: threads with replies; members who may comment start threads and reply. */
export function Comments({ threads, reader, canComment }: { threads: Thread[]; reader: Reader; canComment: boolean }) {
  const mine = threads.filter((t) => [t, ...t.replies].some((c) => c.mentions.includes(reader.id))).length;
  return (
    <section className="card comments" aria-labelledby="comments-title">
      <h2 id="comments-title" className="card__title">
        Discussion <span className="count">{threads.reduce((n, t) => n + 1 + t.replies.length, 0)}</span>
      </h2>
      <p className="card__subtitle">
        {mine ? `${mine} thread${mine === 1 ? " mentions" : "s mention"} you. ` : ""}
        Questions and answers about this proposal, kept with it.
      </p>
      {threads.length ? (
        <ol className="threads">
          {threads.map((t) => (
            <ThreadView key={t.id} thread={t} reader={reader} canComment={canComment} />
          ))}
        </ol>
      ) : (
        <p className="muted">No comments yet.{canComment ? " Start the discussion below." : ""}</p>
      )}
      {canComment ? (
        <CommentForm threadId={null} label="New comment" submitLabel="Start thread" />
      ) : (
        <p className="muted small">Your role can read the discussion but not take part.</p>
      )}
    </section>
  );
}
