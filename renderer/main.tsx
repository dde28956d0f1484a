import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'react-redux';
import { App } from './app/App.js';
import { PlatformContext } from './app/PlatformContext.js';
import { bridgePlatformToStore } from './app/platformBridge.js';
import { createStore } from './app/store.js';
import { connectPlatform } from './platform/platform.js';
import './styles.css';

const platform = connectPlatform();
const store = createStore(platform);
bridgePlatformToStore(platform, store);

const root = document.getElementById('root');
if (!root) throw new Error('missing #root');
createRoot(root).render(
  <StrictMode>
    <PlatformContext.Provider value={platform}>
      <Provider store={store}>
        <App />
      </Provider>
    </PlatformContext.Provider>
  </StrictMode>,
);
