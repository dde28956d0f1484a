import { createContext, useContext } from 'react';
import type { Platform } from '../platform/platform.js';

export const PlatformContext = createContext<Platform | null>(null);

export function usePlatform(): Platform {
  const platform = useContext(PlatformContext);
  if (!platform) throw new Error('usePlatform outside <PlatformContext.Provider>');
  return platform;
}
