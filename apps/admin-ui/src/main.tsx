import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { UiSession } from "@bedrock-gateway/api-types";
import { session, setSession, whenSignedOut } from "./api.ts";
import { HealthPage } from "./pages/health.tsx";
import { KeysPage } from "./pages/keys.tsx";
import { RequestsPage } from "./pages/requests.tsx";
import { SpendPage } from "./pages/spend.tsx";
import { SignIn } from "./sign-in.tsx";
import "./styles.css";

const pages = { keys: { title: "Keys", Page: KeysPage }, spend: { title: "Spend", Page: SpendPage }, requests: { title: "Requests", Page: RequestsPage }, health: { title: "Health", Page: HealthPage } };
type PageName = keyof typeof pages;

const pageFromHash = (): PageName => {
  const name = location.hash.replace(/^#\/?/, "");
  return name in pages ? (name as PageName) : "keys";
};

function App() {
  const [state, setState] = useState<"checking" | "signed-in" | "signed-out">("checking");
  const [notice, setNotice] = useState<string | null>(null);
  const [page, setPage] = useState<PageName>(pageFromHash);

  const signedIn = (s: UiSession) => {
    setSession(s.csrf_token);
    setNotice(null);
    setState("signed-in");
  };

  useEffect(() => {
    whenSignedOut(() => {
      setNotice("Your session has ended: sign in again.");
      setState("signed-out");
    });
    session.GET("/ui/session").then(({ data }) => (data ? signedIn(data) : setState("signed-out")));
    const onHash = () => setPage(pageFromHash());
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);

  useEffect(() => {
    document.title = `${pages[page].title} · Bedrock Gateway`;
  }, [page]);

  const signOut = async () => {
    await session.DELETE("/ui/session", { params: { header: { "x-csrf-token": "" } } });
    setSession(null);
    setNotice("Signed out.");
    setState("signed-out");
  };

  if (state === "checking") return <p class="muted" role="status">Loading…</p>;
  if (state === "signed-out") return <SignIn onSignedIn={signedIn} notice={notice} />;
  const { Page } = pages[page];
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <span class="brand">Bedrock Gateway</span>
        <nav aria-label="Pages">
          {(Object.keys(pages) as PageName[]).map((name) => (
            <a key={name} href={`#/${name}`} aria-current={name === page ? "page" : undefined}>{pages[name].title}</a>
          ))}
        </nav>
        <button type="button" onClick={signOut}>Sign out</button>
      </header>
      <main id="main" tabIndex={-1}>
        <Page />
      </main>
    </>
  );
}

render(<App />, document.getElementById("app")!);
