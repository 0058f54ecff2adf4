// Lets the TypeScript checker (root tsconfig) import .svelte components from .ts files.
declare module '*.svelte' {
  import type { Component } from 'svelte';
  const component: Component<any>;
  export default component;
}
