type Middleware = (next: (args: any) => Promise<any>) => (args: any) => Promise<any>;

/** The part of the SDK's middleware stack this package uses; structural, so both Bedrock clients fit. */
export interface StackLike {
  add(middleware: Middleware, options: { step: "initialize"; name: string; override?: boolean }): void;
  add(middleware: Middleware, options: { step: "build"; name: string; override?: boolean }): void;
}
