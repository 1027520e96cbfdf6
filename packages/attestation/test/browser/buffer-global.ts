/** The global Buffer of the test page's bundle (the npm `buffer` package), as a COCOON browser bundle provides it. */
export { Buffer } from 'buffer';
